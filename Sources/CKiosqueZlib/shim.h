// zlib's init functions are macros that pass the library version and struct size:
// Swift cannot expand them, so this wrapper does. Used by the test server (gzip fixtures,
// gzip bombs built on the fly) and by the web front (cached pages kept gzipped).
#include <zlib.h>

/// Starts a gzip (not raw deflate) stream: windowBits 15 + 16 selects the gzip wrapper.
static inline int kq_deflate_init_gzip(z_streamp strm, int level) {
    return deflateInit2(strm, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
}

/// Starts reading a gzip stream (windowBits 15 + 16: gzip wrapper only).
static inline int kq_inflate_init_gzip(z_streamp strm) {
    return inflateInit2(strm, 15 + 16);
}
