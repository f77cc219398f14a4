/* input.h - turns the paths a user names into a stream of documents.
 *
 * A path is a file (plain or gzip; JSON Lines or the editorial layout, told
 * apart by content), a directory (walked recursively in byte order of names,
 * skipping names that start with '.'), or "-" (JSON Lines on standard input).
 * Bad input never stops the stream: each problem is reported through the
 * callback as file:line plus what happened, counted, and the document is
 * skipped or repaired. Called by lede-index and by bench/ingest.
 *
 * Two steps so that parsing can run on other threads: input_next_record()
 * does the I/O and returns raw bytes (sequential, one thread); record_parse()
 * turns one record into a doc (pure, thread-safe). input_next() does both. */
#ifndef LEDE_INPUT_H
#define LEDE_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "doc.h"

/* 8 MiB: what lede-index's default memory budget (256 MiB) can index within
 * itself, at up to 32 times a document's size (docs/LIMITS.md). */
#define INPUT_DEFAULT_MAX_DOC_BYTES ((size_t)8 << 20)

enum input_problem {
    INPUT_UNREADABLE, /* a file or directory that cannot be opened or read: skipped */
    INPUT_BINARY,     /* a file that is not text (NUL bytes): skipped */
    INPUT_BAD_JSON,   /* a JSON line that is not a JSON object: skipped */
    INPUT_TOO_LARGE,  /* a document over max_doc_bytes: skipped */
    INPUT_EMPTY,      /* a document with neither title nor body: skipped */
    INPUT_BAD_UTF8,   /* invalid UTF-8 or NUL: repaired as U+FFFD, kept */
    INPUT_BAD_DATE,   /* a date that does not parse: kept without a date */
    INPUT_INDEX_DIR,  /* a directory holding a lede index, met in a tree: skipped */
    INPUT_NOT_ARTICLE,/* a file met in a tree whose name says it is no article
                         (.csv, .html, .pdf ...): skipped */
    INPUT_N_PROBLEMS
};

/* Nonzero for problems that drop the document (or file). */
int input_problem_skips(enum input_problem p);
/* A short noun phrase for summaries: "unreadable files", "malformed JSON lines"... */
const char *input_problem_name(enum input_problem p);

/* Called for every problem. `file` is the path as reached from the named
 * input; `line` is 1-based, or 0 when the problem concerns the whole file.
 * `detail` says what happened. May be called from record_parse's thread. */
typedef void (*input_report_fn)(void *ctx, enum input_problem p, const char *file,
                                uint64_t line, const char *detail);

typedef struct input_opts {
    size_t max_doc_bytes;     /* 0 means INPUT_DEFAULT_MAX_DOC_BYTES */
    input_report_fn report;   /* may be NULL */
    void *report_ctx;
    const char *skip_dir;     /* a directory not to read when a tree holds
                                 it (the index being written); may be NULL */
} input_opts;

typedef struct input_stats {
    uint64_t n_files;                       /* files opened */
    uint64_t n_records;                     /* records handed out */
    uint64_t bytes_read;                    /* decompressed bytes read */
    uint64_t raw_bytes_read;                /* bytes of the files themselves */
    uint64_t n_problem[INPUT_N_PROBLEMS];   /* counted by input_next_record and record_parse */
} input_stats;

enum record_kind { RECORD_JSON, RECORD_ARTICLE };

/* One document's raw bytes, as read. */
typedef struct record {
    enum record_kind kind;
    buf bytes;        /* the JSON line, or the whole article file */
    buf file;         /* path for messages, as reached from the named input */
    buf default_id;   /* article: path relative to the named directory (or the
                         path as named, for a file); JSON: "<file>:<line>" */
    uint64_t line;    /* 1-based line of a JSON record; 1 for articles */
} record;

void record_init(record *r);
void record_free(record *r);

typedef struct input input;

/* Prepares to read paths[0..n_paths): walks the named directories once to
 * list their files (so the total size is known for progress), reporting
 * directories that cannot be read. Files are opened as they are reached.
 * Returns 0 or LEDE_ENOMEM. */
int input_open(input **out, const char *const *paths, size_t n_paths, const input_opts *opts);
void input_close(input *in);

/* Reads the next record into r (its buffers are reused). Returns 1 with a
 * record, 0 at the end of all inputs, or a negative error (LEDE_ENOMEM) that
 * should stop the run. Skipped files and lines are reported, not returned. */
int input_next_record(input *in, record *r);

/* Parses r into d (reset first): JSON via json.c or the layout via
 * article.c; repairs UTF-8 in every field; applies the default id when a
 * JSON record has none. Returns 1 with a document, 0 when the record was
 * skipped (reported through opts' callback and counted in *stats, which
 * the caller owns and may be per thread), or LEDE_ENOMEM. */
int record_parse(const record *r, doc *d, const input_opts *opts, input_stats *stats);

/* input_next_record + record_parse, counting into the input's own stats.
 * Returns 1 with a document, 0 at the end, negative on a fatal error. */
int input_next(input *in, record *scratch, doc *d);

/* Counters so far (the input's own; record_parse called directly counts
 * into the caller's). */
const input_stats *input_get_stats(const input *in);
/* Sum of the sizes of all files to be read (for progress and ETA); standard
 * input counts 0. */
uint64_t input_total_bytes(const input *in);

#endif
