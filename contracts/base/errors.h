// Application error codes of the contracts: their shared base, genesis and the four contracts (contracts/): the stable
// app codes a Status of this layer carries and clients match on. Each X(CODE, meaning) entry defines civic::err::CODE,
// whose value is the wire string "CODE". A code is listed once, in the lowest layer that produces or matches it; higher
// layers include that layer's list. docs/RPC.md "Error codes" shows every list as one table and errors_table_test keeps
// the two equal. Constants only; thread-safe.
#pragma once

#include "crypto/base/errors.h"

#define CIVIC_CONTRACTS_ERRORS(X) \
  X(ALREADY_ACKNOWLEDGED, "the access record is already acknowledged by its provider") \
  X(ALREADY_VOTED, "the org has already voted on this proposal") \
  X(BAD_ACCESS_TIME, "an access time lies outside the window accepted around the block time") \
  X(BAD_ACTION, "a proposal's action is empty, not decodable or not allowed") \
  X(BAD_CATEGORY, "a credit category registration is malformed or repeated") \
  X(BAD_CATEGORY_CODE, "a credit category code does not match [A-Za-z0-9_.-]{1,64}") \
  X(BAD_CERT_ID, "a certificate identifier is malformed") \
  X(BAD_CITIZEN_ID, "a citizen identity number is malformed or fails its check digit") \
  X(BAD_CLAIM_DIGEST, "a certificate field's claim digest is not a 32-byte digest") \
  X(BAD_COMMITMENT, "a person's commitment is not 32 bytes (64 hex characters)") \
  X(BAD_CURSOR, "a paging cursor is not a next_cursor from an earlier page") \
  X(BAD_DIGEST, "a digest is not 32 bytes (64 hex characters)") \
  X(BAD_FIELD, "a data-sharing field name is malformed, repeated or the field list is empty or too long") \
  X(BAD_FIELD_NAME, "a certificate field name does not match [a-z][a-z0-9_]{0,63}") \
  X(BAD_FILTER, "query filters contradict each other") \
  X(BAD_GRANT, "a data-sharing grant request is malformed") \
  X(BAD_GRANT_ID, "a grant id is not 1 to 64 of A-Z a-z 0-9 _ . : -") \
  X(BAD_GRANT_STATUS, "a grant status name is unknown") \
  X(BAD_HOLDER_COMMITMENT, "a holder commitment is not 32 bytes (64 hex characters)") \
  X(BAD_KEY, "a public key is malformed, of an unknown algorithm or of the wrong kind") \
  X(BAD_LIMIT, "a page limit is out of range") \
  X(BAD_LIST, "a credit list name is neither red nor black") \
  X(BAD_MASKED_NAME, "a person's masked name is malformed") \
  X(BAD_MATTER, "a credit matter does not match [A-Za-z0-9_.-]{1,64}") \
  X(BAD_MEASURE, "a credit measure is malformed or registered twice") \
  X(BAD_NAME, "a name is empty, not valid UTF-8 or does not start with a letter") \
  X(BAD_ORG, "an organisation's name or keys are invalid") \
  X(BAD_ORG_ROLE, "an org_role filter is not requester, provider or either") \
  X(BAD_PARAMS, "a chain parameter is out of range") \
  X(BAD_POWER, "a validator's voting power is out of range") \
  X(BAD_PROPOSAL, "a proposal's title or description is out of bounds") \
  X(BAD_PUBLICITY_PERIOD, "a listing's publicity period breaks its category's rules") \
  X(BAD_REASON, "a violation reason is unknown") \
  X(BAD_REQUEST_ID, "a request id is not 1 to 64 of A-Z a-z 0-9 _ . : -") \
  X(BAD_RESOURCE, "a data resource registration is malformed") \
  X(BAD_RESOURCE_CODE, "a resource code is not 1 to 64 of A-Z a-z 0-9 _ . : / -") \
  X(BAD_ROLE, "a role name is unknown") \
  X(BAD_SCOPE, "a role scope is malformed or not allowed for the role") \
  X(BAD_SERIAL, "a certificate serial is empty, too long or not digits and A-Z") \
  X(BAD_SEVERITY, "a credit severity name is unknown") \
  X(BAD_SHARE_TYPE, "a share type name is unknown") \
  X(BAD_SUBJECT, "a credit subject is neither a USCC nor a person's commitment, or is given twice") \
  X(BAD_SUBJECT_COMMITMENT, "a subject commitment is not 32 bytes (64 hex characters)") \
  X(BAD_TEXT, "a required text is empty") \
  X(BAD_TIME, "a time is malformed, negative or outside what the call allows") \
  X(BAD_TIME_RANGE, "a time range starts after it ends") \
  X(BAD_TYPE, "a certificate type definition is invalid") \
  X(BAD_TYPE_CODE, "a certificate type code is not its authority's USCC and 3 digits") \
  X(BAD_USCC, "a unified social credit code is malformed or fails its check character") \
  X(BAD_VALIDITY, "a validity period ends before it starts or starts in the future") \
  X(BAD_VERDICT, "a verdict name is unknown") \
  X(BAD_VERSION, "a certificate version is not 1..999") \
  X(BATCH_TOO_LARGE, "a batch carries more items than allowed") \
  X(CALL_MALFORMED, "a contract call does not decode") \
  X(CATEGORY_RETIRED, "the credit category is retired") \
  X(CERT_ALREADY_REVOKED, "the certificate is already revoked") \
  X(CERT_ALREADY_SUSPENDED, "the certificate is already suspended") \
  X(CERT_EXISTS, "a certificate with this id already exists") \
  X(CERT_NOT_FOUND, "no certificate with this id") \
  X(CERT_NOT_SUSPENDED, "the certificate is not suspended, so it cannot be reinstated") \
  X(CERT_REVOKED, "the certificate is revoked") \
  X(CERT_SUPERSEDED, "the certificate was superseded by a newer version") \
  X(CERT_SUSPENDED, "the certificate is suspended") \
  X(COMMITMENT_ALREADY_BROKEN, "the credit commitment is already recorded as broken") \
  X(COMMITMENT_NOT_BROKEN, "the credit commitment is not recorded as broken") \
  X(COMMITMENT_NOT_FOUND, "no credit commitment with this id") \
  X(COMMITMENT_SUBJECT_MISMATCH, "the credit commitment was made by another subject") \
  X(DOC_NO_REQUIRED, "a decision document number is required") \
  X(DUPLICATE_DECISION, "this decision already listed the subject in the category") \
  X(DUPLICATE_FIELD, "a field is given twice") \
  X(DUPLICATE_LISTING, "the subject is already listed in the category") \
  X(DUPLICATE_REQUEST_ID, "a request id appears twice in one tx") \
  X(EMPTY_BATCH, "a batch carries no items") \
  X(EMPTY_CALL, "a contract call names no operation") \
  X(EMPTY_FIELD, "a field or a given value is empty") \
  X(EMPTY_SALT, "a salt is empty") \
  X(ENTRY_NOT_FOUND, "no credit entry with this id") \
  X(ENTRY_NOT_LISTED, "the credit entry is not published, so the action is not possible") \
  X(ENTRY_WITHDRAWN, "the credit entry is withdrawn") \
  X(GENESIS_BAD_CERT_TYPE, "a genesis certificate type is invalid") \
  X(GENESIS_BAD_CHAIN_ID, "the genesis chain_id is missing or malformed") \
  X(GENESIS_BAD_KEY, "a genesis key is missing or malformed") \
  X(GENESIS_BAD_ORG, "a genesis org is invalid") \
  X(GENESIS_BAD_PARAMS, "the genesis params are invalid") \
  X(GENESIS_BAD_ROLE, "a genesis role or scope is invalid") \
  X(GENESIS_BAD_TIME, "the genesis time is missing or malformed") \
  X(GENESIS_BAD_VALIDATOR, "a genesis validator is invalid") \
  X(GENESIS_DUPLICATE_KEY, "a key is listed more than once in the genesis") \
  X(GENESIS_DUPLICATE_ORG, "an org is listed more than once in the genesis") \
  X(GENESIS_IO, "the genesis file cannot be read") \
  X(GENESIS_MALFORMED, "the genesis file is not a valid JSON object of known members") \
  X(GENESIS_NO_ADMIN, "no genesis org holds the ADMIN role") \
  X(GENESIS_NO_VALIDATORS, "the genesis lists no validators") \
  X(GOVERNANCE_REQUIRED, "the operation is a governance action: propose it and vote") \
  X(GRANT_EXISTS, "a grant with this id already exists") \
  X(GRANT_NOT_ACTIVE, "the grant is not active") \
  X(GRANT_NOT_FOUND, "no grant with this id") \
  X(GRANT_NOT_REQUESTED, "the grant is not awaiting approval") \
  X(HOLDER_CODE_TYPE_UNKNOWN, "a holder code type is not citizen_id or uscc") \
  X(HOLDER_TYPE_MISMATCH, "the certificate type is held by the other kind of holder") \
  X(KEY_ALREADY_REVOKED, "the key is already revoked") \
  X(KEY_IN_USE, "the key is already a signing key of an org") \
  X(KEY_NOT_ADMITTED, "the signing key is not a key of the org") \
  X(KEY_REVOKED, "the signing key was revoked") \
  X(LAST_ADMIN, "the last ADMIN org cannot be removed or lose the role") \
  X(LAST_KEY, "an org must keep at least one active key") \
  X(LEGAL_BASIS_REQUIRED, "a legal basis is required") \
  X(LIST_MISMATCH, "the category is on the other credit list") \
  X(MISSING_FIELD, "a required field is missing or empty") \
  X(MISSING_ROLE, "the org does not hold the role the operation needs") \
  X(NAME_IN_TEXT, "a published text names the person") \
  X(NOT_ADMIN, "the org does not hold the ADMIN role") \
  X(NOT_A_GOVERNANCE_ACTION, "the call is not an action a proposal may carry") \
  X(NOT_CERT_ISSUER, "the certificate was issued by another org") \
  X(NOT_COMMITMENT_RECORDER, "the credit commitment was made to another org") \
  X(NOT_DECIDING_ORG, "the org is not a deciding org of the category") \
  X(NOT_ENTRY_DECIDER, "only the deciding org decides on the credit entry") \
  X(NOT_GRANT_PROVIDER, "the grant is decided by its provider only") \
  X(NOT_ISSUER, "the org is not an issuer of the certificate type") \
  X(NOT_RECORD_PROVIDER, "the access record is acknowledged by its provider only") \
  X(NOT_REPAIRABLE, "the credit entry's category does not allow credit repair") \
  X(NOT_SUBJECT_OR_AGENT, "the org is neither the subject of the credit entry nor acting for it") \
  X(NO_PENDING_OBJECTION, "the credit entry has no pending objection") \
  X(NO_PENDING_REPAIR, "the credit entry has no pending repair application") \
  X(OBJECTION_PENDING, "an objection on the credit entry is already pending") \
  X(ORG_EXISTS, "an org with this code already exists") \
  X(ORG_REMOVED, "the org has been removed from the network") \
  X(PERSONAL_DATA_IN_TEXT, "a text holds a citizen identity number; personal data never goes on chain") \
  X(PERSON_COMMITMENT_REQUIRED, "a person is listed only by a commitment and a masked name") \
  X(PROPOSAL_CLOSED, "the proposal is already decided") \
  X(PROPOSAL_EXPIRED, "the proposal has expired") \
  X(PROVIDER_MISMATCH, "the resource is provided by another org") \
  X(PROVIDER_REQUIRED, "the resource is not in the catalogue, so the record must name its provider") \
  X(PURPOSE_REQUIRED, "a purpose is required") \
  X(REASON_REQUIRED, "a reason is required") \
  X(REASON_TOO_LONG, "the reason is too long") \
  X(RECORD_EXISTS, "an access record with this request id is already recorded") \
  X(RECORD_NOT_FOUND, "no access record with this id") \
  X(REPAIR_PENDING, "a repair application on the credit entry is already pending") \
  X(REPAIR_TOO_EARLY, "the credit entry cannot be repaired yet") \
  X(RESOURCE_NOT_FOUND, "no data resource with this code") \
  X(RESOURCE_NOT_SHARED, "the resource is not shared, so it cannot be granted") \
  X(RESOURCE_OF_OTHER_PROVIDER, "the resource belongs to another provider") \
  X(ROLE_NOT_HELD, "the org does not hold the role") \
  X(SALT_REQUIRED, "the credit subject salt is required") \
  X(SCOPE_NOT_HELD, "the org does not hold the role for that scope") \
  X(SELF_ACCESS, "an org is both requester and provider") \
  X(STATS_TOO_BROAD, "the statistics would count too many records") \
  X(TEXT_TOO_LONG, "a text is too long") \
  X(TOO_MANY_APPLICATIONS, "the credit entry has had as many applications as allowed") \
  X(TOO_MANY_SUBJECTS, "an access record names too many subjects") \
  X(TYPE_RETIRED, "the certificate type is retired") \
  X(UNKNOWN_CATEGORY, "no credit category with this code") \
  X(UNKNOWN_CONTRACT, "no contract with this name") \
  X(UNKNOWN_FIELD, "a field is not in the schema") \
  X(UNKNOWN_KEY, "the key is not a key of the org") \
  X(UNKNOWN_MEASURE, "no measure with this code in the category") \
  X(UNKNOWN_ORG, "no org with this code on the chain") \
  X(UNKNOWN_PROPOSAL, "no proposal with this id") \
  X(UNKNOWN_TYPE, "no certificate type with this code") \
  X(UNKNOWN_VALIDATOR, "the node key is not a validator") \
  X(VALIDATOR_IN_USE, "the org still runs validators; remove them first") \
  X(VALIDATOR_OTHER_ORG, "the node key is a validator of another org") \
  X(VALIDATOR_SET_EMPTY, "the change would leave no validators") \
  X(VERSION_LIMIT, "the certificate is at its last version")

namespace civic::err {
CIVIC_CONTRACTS_ERRORS(CIVIC_ERR_CONSTANT)
}  // namespace civic::err
