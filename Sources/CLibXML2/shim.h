// Umbrella for the parts of libxml2 that Kiosque uses.
// Debian builds libxml2 with ICU, whose headers clash with Foundation's in Swift:
// read the version header first, then pretend ICU is off before including the rest.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/encoding.h>
#include <libxml/xmlstring.h>

/// `xmlFree` is a global function pointer variable, which Swift 6 refuses to call.
static inline void kiosque_xmlFree(void *p) { xmlFree(p); }
