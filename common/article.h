/* article.h - the editorial plain-text layout (../shared/corpora/seed/).
 *
 *   Title line
 *   <blank>
 *   Source:<source> Published: <YYYY/M/D H:MM:SS>     (optional, either part)
 *   <blank>
 *   paragraph ... (paragraphs separated by blank lines)
 *   <blank>
 *   Posted in: <SECTION>                               (optional)
 *   <blank>
 *   blog comments powered by Disqus                    (boilerplate, dropped)
 *
 * A title wrapped onto a second line is the two lines joined by a space when
 * the metadata line comes right after them (no blank line between).
 *
 * Called by the input reader for every file that is not JSON Lines. */
#ifndef LEDE_ARTICLE_H
#define LEDE_ARTICLE_H

#include <stddef.h>

#include "doc.h"

/* Warnings article_parse may set in *warn (a bit mask); the doc is kept. */
enum {
    ARTICLE_WARN_BAD_DATE = 1 /* a Published: value that is not a date */
};

/* Parses text[0..len) (valid UTF-8) into the title, source, section, date and
 * body of d; leaves the id alone. The body is the paragraphs, each trimmed of
 * surrounding white space (including U+00A0), joined by "\n\n"; line breaks
 * inside a paragraph are kept. Returns 0 (and ORs warnings into *warn), or
 * LEDE_ENOMEM. A text with no title and no body leaves them empty: the caller
 * decides that such a document is empty. */
int article_parse(doc *d, const char *text, size_t len, unsigned *warn);

#endif
