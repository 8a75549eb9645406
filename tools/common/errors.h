// Application error codes of the tools (tools/): the stable app codes a Status of this layer carries and clients match
// on. Each X(CODE, meaning) entry defines civic::err::CODE, whose value is the wire string "CODE". A code is listed
// once, in the lowest layer that produces or matches it; higher layers include that layer's list. docs/RPC.md "Error
// codes" shows every list as one table and errors_table_test keeps the two equal. Constants only; thread-safe.
#pragma once

#include "crypto/base/errors.h"

#define CIVIC_TOOLS_ERRORS(X) \
  X(ACCESS_INCOMPLETE, "an access record on the command line lacks a required option") \
  X(ACK_INCOMPLETE, "an acknowledgement on the command line lacks a required option") \
  X(BAD_BATCH_SIZE, "an import batch size is out of range") \
  X(BAD_COMMITMENT_ID, "a credit commitment id is not a positive number") \
  X(BAD_COUNT, "an import sample count is out of range") \
  X(BAD_CREDIT_KEY_FILE, "a credit key file does not hold 64 hex characters, or others may read or write it") \
  X(BAD_DATE, "a date or time is malformed or in the future") \
  X(BAD_ENTRY, "a credit entry id is not a positive number") \
  X(BAD_FIELD_ARG, "a line of a fields file is not of the form name=value") \
  X(BAD_FIELD_VALUE, "an imported field value is not a string of valid text or is given twice") \
  X(BAD_HOLDER_TYPE, "an imported holder type is neither citizen nor enterprise") \
  X(BAD_JSONL, "a line of a JSON-lines file is not JSON") \
  X(BAD_NODE_URL, "the node URL is malformed") \
  X(BAD_NUMBER, "a number in an imported row is malformed") \
  X(BAD_PORT_COUNT, "the number of ports asked for is out of range") \
  X(BATCH_OR_SINGLE, "both a batch file and the options of one access were given") \
  X(BENCH_BAD_ARGUMENT, "a benchmark option is out of range") \
  X(BENCH_BAD_TOOL_OUTPUT, "a tool the benchmark runs reported something it cannot read") \
  X(BENCH_DATA_EXISTS, "the benchmark's data directory is not empty") \
  X(BENCH_DATA_MISMATCH, "the node's totals differ from the records the benchmark generated") \
  X(BENCH_INTERRUPTED, "the benchmark was interrupted") \
  X(BENCH_ISSUE_FAILED, "the benchmark could not issue its certificates") \
  X(BENCH_NO_CERTIFICATES, "the benchmark found no verifiable certificates") \
  X(BENCH_NO_COMMITS, "the network committed no txs during the measurement") \
  X(BENCH_PROCESS_FAILED, "a process the benchmark started failed") \
  X(BENCH_SETUP, "the benchmark's setup is incomplete") \
  X(BENCH_TIMEOUT, "a benchmark phase did not finish in time") \
  X(BENCH_TOOL_MISSING, "a program the benchmark needs is not installed") \
  X(CERT_ID_REQUIRED, "no certificate id was given") \
  X(CERT_TYPE_NOT_FOUND, "no certificate type with this code") \
  X(CERT_TYPE_RETIRED, "the certificate type is retired") \
  X(CIVICD_NOT_FOUND, "the civicd program is not found") \
  X(CREDIT_BAD_SAMPLE_INPUT, "the credit sample got unusable inputs") \
  X(CREDIT_KEY_REQUIRED, "a person given by identity number needs the department's credit key (--key-file)") \
  X(CREDIT_SAMPLE_EXISTS, "the credit sample is already on chain") \
  X(CSV_MALFORMED, "a CSV file is malformed") \
  X(DECISION_REQUIRED, "exactly one decision option must be given") \
  X(DIGEST_REQUIRED, "give either a file or its digest, not both or neither") \
  X(DUPLICATE_KEY, "a key is given twice") \
  X(DUPLICATE_ROW, "an earlier row of the import holds the same item") \
  X(DUPLICATE_SERIAL, "an earlier row of the import holds the same serial") \
  X(EMPTY_PASSPHRASE, "the passphrase is empty") \
  X(FILE_EXISTS, "the output file exists already") \
  X(GENESIS_BAD_SAMPLE_INPUT, "the sample network got unusable inputs") \
  X(HOLDER_FILE_MISMATCH, "the holder file is the copy of another certificate") \
  X(HOLDER_FILE_REQUIRED, "the operation needs the holder's copy") \
  X(HOLDER_OR_OPENING, "give either the holder file or the salt and code") \
  X(HOLDER_REQUIRED, "no holder was given") \
  X(IMPORT_BAD_HEADER, "an import file's header row is missing or malformed") \
  X(IMPORT_STOPPED, "the import was stopped") \
  X(IMPORT_UNKNOWN_COLUMN, "an import file has an unknown column or member") \
  X(IMPORT_UNKNOWN_FORMAT, "an import format is not csv or jsonl") \
  X(JSON_MALFORMED, "a line of an import file is not a JSON object of strings and integers") \
  X(KEYFILE_EXISTS, "the key file exists already") \
  X(KEY_CONFLICT, "more than one key was given where one is expected") \
  X(KEY_REQUIRED, "no key was given") \
  X(NET_BAD_PORT, "the local network's ports are out of range or taken") \
  X(NET_BAD_SIZE, "the local network's size is out of range") \
  X(NET_EXISTS, "a local network exists already in the directory") \
  X(NET_LAST_VALIDATOR, "the last validator cannot be removed from the local network") \
  X(NET_MALFORMED, "the local network's description is malformed") \
  X(NET_NOT_FOUND, "no local network in the directory") \
  X(NET_NOT_RUNNING, "no node of the local network is running") \
  X(NET_NOT_SAMPLE, "the local network is not the sample network") \
  X(NET_PROPOSAL_FAILED, "a governance proposal of the local network did not pass") \
  X(NET_RUNNING, "the local network is running") \
  X(NET_SINGLE_NODE, "the operation needs more than one node") \
  X(NET_TIMEOUT, "the local network did not reach the expected state in time") \
  X(NET_UNKNOWN_NODE, "no node of that name in the local network") \
  X(NODE_EXITED, "a node process exited") \
  X(NODE_NOT_HEALTHY, "a node did not become healthy in time") \
  X(NO_FREE_PORT, "no free ports were found") \
  X(ORG_REQUIRED, "no org was given and the key names none") \
  X(PARAMS_REQUIRED, "no parameter was given to change") \
  X(PASSPHRASE_ENV_UNSET, "the environment variable with the passphrase is not set") \
  X(PG_CONNECT_FAILED, "the benchmark cannot connect to PostgreSQL") \
  X(PROOF_SOURCE_REQUIRED, "civic verify needs one trust root and one proof source (a file or nodes)") \
  X(PROVEN_NOT_VALID, "a proof verified, and it proves the certificate absent or not valid at the time asked") \
  X(PG_COPY_FAILED, "a PostgreSQL bulk load failed") \
  X(PG_QUERY_FAILED, "a PostgreSQL query failed") \
  X(PROCESS_GONE, "the process is not running") \
  X(PROGRAM_FAILED, "an external program cannot be run") \
  X(PROGRAM_NOT_FOUND, "an external program is not installed") \
  X(SALT_FILE_REPLACED, "--salt-file is replaced by the department's credit key (--key-file)") \
  X(SAME_KEY, "the old and the new key are the same") \
  X(SECRET_ON_COMMAND_LINE, "a personal value was given on the command line; give it in a file or on stdin") \
  X(SHARING_BAD_SAMPLE_INPUT, "the sharing sample got unusable inputs") \
  X(SHARING_SAMPLE_EXISTS, "the sharing sample is already on chain") \
  X(SIDE_NEEDS_DEPT, "--side needs --dept") \
  X(STATE_CORRUPT, "the import state file is damaged") \
  X(STATE_MISMATCH, "the import state file belongs to another import") \
  X(SUBJECT_REQUIRED, "no subject was given") \
  X(TLS_CERT_CREATE_FAILED, "a TLS certificate or key for the local network could not be made") \
  X(WRONG_COLUMN_COUNT, "a row has another number of columns than the header")

namespace civic::err {
CIVIC_TOOLS_ERRORS(CIVIC_ERR_CONSTANT)
}  // namespace civic::err
