// civic import, civic sample certificates
#include <unistd.h>

#include <iostream>

#include "contracts/genesis.h"
#include "tools/cli/commands.h"
#include "tools/common/errors.h"
#include "tools/common/files.h"
#include "tools/import/importer.h"
#include "tools/import/sample_data.h"

namespace civic::tools {
namespace json = boost::json;
namespace {

struct ImportArgs {
  ImportOptions options;
  std::string format;
  bool no_progress = false;
  size_t show_rejected = 20;
};

CmdStatus Import(ImportArgs a, const CommonOptions& common) {
  ImportOptions& opt = a.options;
  if (a.format.empty()) {
    auto f = ImportFormatFromPath(opt.input_path);
    if (!f.ok()) return CmdStatus::Usage(f.status());
    opt.format = *f;
  } else {
    auto f = ParseImportFormat(a.format);
    if (!f.ok()) return CmdStatus::Usage(f.status());
    opt.format = *f;
  }
  CmdStatus usage;
  auto signer = LoadSigner(common, &usage);
  if (!signer.ok()) return usage.ok() ? CmdStatus(signer.status()) : usage;
  opt.org = signer->org;
  opt.commit_timeout_ms = common.commit_timeout_ms;
  opt.valid_blocks = common.valid_blocks;
  opt.show_progress = !a.no_progress && !common.json;
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));

  Importer importer(api.get(), &signer->key, opt);
  auto result = importer.Run();
  if (!result.ok()) {
    const Status& e = result.status();
    std::string state_path = opt.state_path.empty() ? opt.input_path + ".state" : opt.state_path;
    bool resumable = e.app_code().rfind("STATE_", 0) != 0 && ::access(state_path.c_str(), F_OK) == 0;
    if (!resumable) return e;
    return Status(e.code(), e.app_code(),
                  e.message() + "\nThe import's progress is saved in " + state_path +
                      "; run the same command again to continue where it stopped.");
  }
  ImportSummary& s = *result;

  if (common.json) {
    json::array rejected;
    for (const auto& r : s.rejected) {
      rejected.push_back(json::object{{"line", r.line}, {"app_code", r.reason.app_code()}, {"message", r.reason.message()}});
    }
    PrintJson(json::object{{"rows", s.rows},
                           {"accepted", s.accepted},
                           {"rejected_rows", s.rejected.size()},
                           {"batches", s.batches},
                           {"failed_batches", s.failed_batches},
                           {"committed", s.committed_rows},
                           {"committed_this_run", s.committed_rows_this_run},
                           {"resumed", s.resumed},
                           {"batches_already_done", s.batches_already_done},
                           {"batches_rebuilt", s.batches_rebuilt},
                           {"rejected", std::move(rejected)},
                           {"rejected_file", s.rejected_path},
                           {"holders_file", s.holders_path},
                           {"state_file", s.state_path}});
    return CmdStatus::Ok();
  }
  std::cout << "import of " << opt.input_path << " (type " << opt.type_code << ", issuer " << opt.org << ")"
            << (s.resumed ? ", resumed" : "") << "\n"
            << "  rows:       " << s.rows << " read, " << s.accepted << " accepted, "
            << (s.rows - s.accepted) << " rejected by the checks\n"
            << "  batches:    " << s.batches << " of up to " << opt.batch_size << " certificates";
  if (s.batches_already_done) std::cout << "; " << s.batches_already_done << " settled by an earlier run";
  if (s.batches_rebuilt) std::cout << "; " << s.batches_rebuilt << " rebuilt after their tx expired";
  if (s.failed_batches) std::cout << "; " << s.failed_batches << " refused by the chain";
  std::cout << "\n  committed:  " << s.committed_rows << " certificates (" << s.committed_rows_this_run
            << " in this run)\n";
  if (!s.rejected.empty()) {
    std::cout << "  rejected rows (line: reason):\n";
    for (size_t i = 0; i < s.rejected.size() && i < a.show_rejected; ++i) {
      std::cout << "    line " << s.rejected[i].line << ": " << s.rejected[i].reason.ToString() << "\n";
    }
    if (s.rejected.size() > a.show_rejected) {
      std::cout << "    ... and " << (s.rejected.size() - a.show_rejected) << " more\n";
    }
  }
  std::cout << "  rejected rows file: " << s.rejected_path << " (" << s.rejected.size() << " rows)\n"
            << "  holders' copies:    " << s.holders_path << " (mode 0600; one line per certificate, with salts)\n"
            << "  state:              " << s.state_path << " (rerun the same command to resume)\n";
  return CmdStatus::Ok();
}

struct SampleArgs {
  std::string type, out, genesis, format;
  SampleFileOptions options;
};

Result<CertTypeInfo> TypeFromGenesis(const std::string& path, const std::string& code) {
  CIVIC_ASSIGN_OR_RETURN(contracts::Genesis g, contracts::LoadGenesisFile(path));
  std::string known;
  for (const auto& t : g.cert_types) {
    if (t.code() != code) {
      known += "\n  " + t.code() + "  " + t.name();
      continue;
    }
    CertTypeInfo info;
    info.code = t.code();
    info.name = t.name();
    info.holder_code_type = t.holder_code_type();
    for (const auto& o : t.issuer_orgs()) info.issuer_orgs.push_back(o);
    for (const auto& f : t.fields()) info.fields.push_back({f.name(), f.required(), f.label()});
    return info;
  }
  return Status::NotFound(err::CERT_TYPE_NOT_FOUND, "no certificate type " + code + " in " + path + "; it has:" + known);
}

CmdStatus Sample(const SampleArgs& a, const CommonOptions& common) {
  ImportFormat format = ImportFormat::kCsv;
  auto f = a.format.empty() ? ImportFormatFromPath(a.out) : ParseImportFormat(a.format);
  if (!f.ok()) return CmdStatus::Usage(f.status());
  format = *f;
  if (a.options.invalid > a.options.count) {
    return CmdStatus::Usage(err::BAD_COUNT, "--invalid cannot exceed --count");
  }
  CertTypeInfo type;
  if (!a.genesis.empty()) {
    CIVIC_ASSIGN_OR_RETURN(type, TypeFromGenesis(a.genesis, a.type));
  } else {
    CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
    CIVIC_ASSIGN_OR_RETURN(type, GetCertType(*api, a.type));
  }
  std::string text = format == ImportFormat::kCsv ? SampleCertificatesCsv(type, a.options)
                                                  : SampleCertificatesJsonl(type, a.options);
  // Sample rows look like personal data; keep them private like real stock would be.
  CIVIC_RETURN_IF_ERROR(WriteFileAtomic(a.out, text, 0600));
  if (common.json) {
    PrintJson(json::object{{"file", a.out}, {"type", type.code}, {"rows", a.options.count},
                           {"invalid_rows", a.options.invalid}, {"seed", a.options.seed}});
  } else {
    std::cout << "wrote " << a.out << ": " << a.options.count << " sample " << type.name << " rows ("
              << a.options.invalid << " deliberately invalid), seed " << a.options.seed << "\n";
  }
  return CmdStatus::Ok();
}

}  // namespace

void AddImportCommands(CLI::App* app, CliContext* ctx) {
  auto a = std::make_shared<ImportArgs>();
  CLI::App* import = app->add_subcommand(
      "import",
      "Bulk import of existing certificates (存量证照归集) from CSV or JSONL: checks every row,\n"
      "issues the good ones in batches, reports rejected rows with reasons, and resumes after an\n"
      "interruption (rerun the same command)");
  import->add_option("--type", a->options.type_code, "Certificate type code")->required();
  import->add_option("--file", a->options.input_path, "The CSV or JSONL file")->required()->check(CLI::ExistingFile);
  import->add_option("--format", a->format, "csv | jsonl (default: from the file name)")
      ->check(CLI::IsMember({"csv", "jsonl"}));
  import->add_option("--batch", a->options.batch_size, "Certificates per tx")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{10000}));
  import->add_option("--in-flight", a->options.in_flight, "Txs waiting for commit at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 32));
  import->add_option("--state", a->options.state_path, "The resume state file (default: FILE.state; mode 0600)");
  import->add_option("--holders-out", a->options.holders_path,
                     "Where the holders' copies go (default: FILE.holders.jsonl; mode 0600)");
  import->add_option("--rejected-out", a->options.rejected_path,
                     "Where the rejected rows go (default: FILE without extension + .rejected.csv)");
  import->add_option("--show-rejected", a->show_rejected, "How many rejected rows to print")->capture_default_str();
  import->add_flag("--no-progress", a->no_progress, "No progress bar on stderr");
  AddSignerOptions(import, ctx);
  OnRun(import, ctx, [a, ctx] { return Import(*a, ctx->common); });

  CLI::App* sample = app->add_subcommand("sample", "Deterministic sample data for demos and tests");
  sample->require_subcommand(1);
  auto s = std::make_shared<SampleArgs>();
  CLI::App* certs = sample->add_subcommand(
      "certificates", "Write an import file of sample certificates of one type (valid citizen IDs and USCCs\n"
                      "of Mianyang; the same seed gives the same file)");
  certs->add_option("--type", s->type, "Certificate type code")->required();
  certs->add_option("--count", s->options.count, "Rows")->capture_default_str()->check(CLI::Range(uint64_t{1}, uint64_t{100000000}));
  certs->add_option("--out", s->out, "The file to write (.csv or .jsonl)")->required();
  certs->add_option("--format", s->format, "csv | jsonl (default: from --out)")->check(CLI::IsMember({"csv", "jsonl"}));
  certs->add_option("--seed", s->options.seed, "Random seed")->capture_default_str();
  certs->add_option("--invalid", s->options.invalid, "Rows to make deliberately invalid (spread through the file)")
      ->capture_default_str();
  certs->add_flag("--serial", s->options.with_serial, "Add a serial column");
  certs->add_option("--genesis", s->genesis, "Take the type's fields from this genesis file instead of a node")
      ->check(CLI::ExistingFile);
  AddNodeOption(certs, ctx);
  AddJsonOption(certs, ctx);
  OnRun(certs, ctx, [s, ctx] { return Sample(*s, ctx->common); });
}

}  // namespace civic::tools
