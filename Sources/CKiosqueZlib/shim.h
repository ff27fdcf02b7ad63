// zlib's init functions are macros that pass the library version and struct size:
// Swift cannot expand them, so this wrapper does. Used only by the test server to
// gzip fixtures and to build gzip bombs on the fly.
#include <zlib.h>

/// Starts a gzip (not raw deflate) stream: windowBits 15 + 16 selects the gzip wrapper.
static inline int kq_deflate_init_gzip(z_streamp strm, int level) {
    return deflateInit2(strm, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
}
