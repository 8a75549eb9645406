#include "contracts/base/visibility.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

namespace civic::contracts {

namespace gp = google::protobuf;

pb::Visibility FieldVisibility(const gp::FieldDescriptor& field) {
  const gp::FieldOptions& own = field.options();
  if (own.HasExtension(pb::visibility)) return own.GetExtension(pb::visibility);
  return field.containing_type()->options().GetExtension(pb::default_visibility);
}

bool MaySee(pb::Visibility visibility, Viewer viewer) {
  switch (visibility) {
    case pb::VISIBILITY_PUBLIC:
      return true;
    case pb::VISIBILITY_SUBJECT:
      return viewer == Viewer::kSubject || viewer == Viewer::kAuditor;
    case pb::VISIBILITY_ISSUER:
      return viewer == Viewer::kIssuer || viewer == Viewer::kAuditor;
    case pb::VISIBILITY_AUDITOR:
    default:  // a level this build does not know is the strictest
      return viewer == Viewer::kAuditor;
  }
}

bool FieldVisible(const gp::Descriptor& message, std::string_view field_name, Viewer viewer) {
  const gp::FieldDescriptor* field = message.FindFieldByName(std::string(field_name));
  return field != nullptr && MaySee(FieldVisibility(*field), viewer);
}

size_t Redact(gp::Message* message, Viewer viewer) {
  const gp::Reflection* reflection = message->GetReflection();
  size_t removed = 0;
  if (viewer != Viewer::kAuditor && !reflection->GetUnknownFields(*message).empty()) {
    reflection->MutableUnknownFields(message)->Clear();
    ++removed;
  }
  std::vector<const gp::FieldDescriptor*> set_fields;
  reflection->ListFields(*message, &set_fields);
  for (const gp::FieldDescriptor* field : set_fields) {
    if (!MaySee(FieldVisibility(*field), viewer)) {
      reflection->ClearField(message, field);
      ++removed;
      continue;
    }
    if (field->cpp_type() != gp::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
        removed += Redact(reflection->MutableRepeatedMessage(message, field, i), viewer);
      }
    } else {
      removed += Redact(reflection->MutableMessage(message, field), viewer);
    }
  }
  return removed;
}

std::string_view VisibilityName(pb::Visibility visibility) {
  switch (visibility) {
    case pb::VISIBILITY_PUBLIC:
      return "public";
    case pb::VISIBILITY_AUDITOR:
      return "auditor";
    case pb::VISIBILITY_SUBJECT:
      return "subject";
    case pb::VISIBILITY_ISSUER:
      return "issuer";
    default:
      return "unknown";
  }
}

std::vector<std::string> VisibilityTable(const gp::FileDescriptor& file) {
  std::vector<std::string> rows;
  auto row = [&](const std::string& message, const std::string& field, pb::Visibility v) {
    rows.push_back("| " + message + " | " + field + " | " + std::string(VisibilityName(v)) + " |");
  };
  for (int m = 0; m < file.message_type_count(); ++m) {
    const gp::Descriptor& message = *file.message_type(m);
    pb::Visibility fallback = message.options().GetExtension(pb::default_visibility);
    if (fallback != pb::VISIBILITY_PUBLIC) row(message.name(), "*", fallback);
    for (int f = 0; f < message.field_count(); ++f) {
      const gp::FieldDescriptor& field = *message.field(f);
      pb::Visibility v = FieldVisibility(field);
      // A field that only repeats its message's default adds nothing to the table.
      if (v != fallback) row(message.name(), field.name(), v);
    }
  }
  return rows;
}

}  // namespace civic::contracts
