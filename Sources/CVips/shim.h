// libvips's operations take their optional arguments as C varargs (name, value, ..., NULL), which Swift
// cannot call: these fixed-signature wrappers are the only bridge KiosqueMedia needs (libvips 8.14).
#include <vips/vips.h>

/// Starts libvips once per process, with untrusted loaders (ImageMagick, SVG through rsvg, PDF…) blocked,
/// no operation cache (every image is new: caching would only hold memory) and a small thread pool.
static void kq_vips_quiet(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data) {}
static inline int kq_vips_start(void) {
    if (VIPS_INIT("kiosque")) return -1;
    // Hostile files make libvips warn once per scanline on stderr; refusals are reported through errors.
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING, kq_vips_quiet, NULL);
    vips_block_untrusted_set(TRUE);
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
    vips_concurrency_set(1);
    return 0;
}

/// The loader libvips would pick from the bytes themselves (magic numbers), or NULL: never the file name.
static inline const char *kq_vips_loader(const void *buf, size_t len) {
    return vips_foreign_find_load_buffer(buf, len);
}

/// Opens an image lazily: only the header is read, so dimensions can be checked before any pixel is decoded.
static inline VipsImage *kq_vips_header(const void *buf, size_t len) {
    return vips_image_new_from_buffer(buf, len, "", "access", VIPS_ACCESS_SEQUENTIAL,
                                      "fail_on", VIPS_FAIL_ON_ERROR, NULL);
}

/// Decodes the first page (first frame of an animated GIF), rotates by EXIF orientation and shrinks so
/// that neither side exceeds `box` (never enlarges); truncated or corrupt data fails.
static inline int kq_vips_thumbnail(void *buf, size_t len, VipsImage **out, int box) {
    // The loader's own fail_on (through option_string): thumbnail's would let a truncated file through.
    return vips_thumbnail_buffer(buf, len, out, box, "height", box, "size", VIPS_SIZE_DOWN,
                                 "option_string", "fail_on=truncated", NULL);
}

/// JPEG without any metadata (EXIF, GPS, XMP, ICC, comments).
static inline int kq_vips_save_jpeg(VipsImage *in, void **buf, size_t *len, int quality) {
    return vips_jpegsave_buffer(in, buf, len, "Q", quality, "strip", TRUE, "optimize_coding", TRUE,
                                "interlace", TRUE, NULL);
}

/// PNG without any metadata.
static inline int kq_vips_save_png(VipsImage *in, void **buf, size_t *len) {
    return vips_pngsave_buffer(in, buf, len, "strip", TRUE, "compression", 6, NULL);
}

/// WebP without any metadata.
static inline int kq_vips_save_webp(VipsImage *in, void **buf, size_t *len, int quality) {
    return vips_webpsave_buffer(in, buf, len, "Q", quality, "strip", TRUE, NULL);
}

/// A synthetic test image (width × height, `bands` bands, a gradient) saved in `format`
/// ("jpeg", "png", "gif", "webp"); used by tests and benchmarks to make real files.
static inline int kq_vips_make_test_image(int width, int height, int bands, const char *format, void **buf, size_t *len) {
    VipsImage *grey = NULL, *banded = NULL, *cast = NULL;
    if (vips_xyz(&grey, width, height, NULL)) return -1;
    VipsImage *parts[4];
    int result = -1;
    // xyz gives two bands (x, y); take x and y, then add bands to reach the wanted count.
    if (vips_extract_band(grey, &parts[0], 0, NULL)) goto done;
    if (vips_extract_band(grey, &parts[1], 1, NULL)) { g_object_unref(parts[0]); goto done; }
    parts[2] = parts[0]; g_object_ref(parts[2]);
    parts[3] = parts[1]; g_object_ref(parts[3]);
    if (vips_bandjoin(parts, &banded, bands < 1 ? 1 : (bands > 4 ? 4 : bands), NULL)) {
        for (int i = 0; i < 4; i++) g_object_unref(parts[i]);
        goto done;
    }
    for (int i = 0; i < 4; i++) g_object_unref(parts[i]);
    if (vips_cast_uchar(banded, &cast, NULL)) goto done;
    if (banded->Bands >= 3) cast->Type = VIPS_INTERPRETATION_sRGB; else cast->Type = VIPS_INTERPRETATION_B_W;
    const char *suffix = format[0] == 'j' ? ".jpg" : format[0] == 'p' ? ".png" : format[0] == 'g' ? ".gif" : ".webp";
    result = vips_image_write_to_buffer(cast, suffix, buf, len, NULL);
done:
    if (cast) g_object_unref(cast);
    if (banded) g_object_unref(banded);
    g_object_unref(grey);
    return result;
}

static inline void kq_vips_unref(VipsImage *image) { g_object_unref(image); }
static inline void kq_vips_free(void *buf) { g_free(buf); }
static inline int kq_vips_width(VipsImage *image) { return vips_image_get_width(image); }
static inline int kq_vips_height(VipsImage *image) { return vips_image_get_height(image); }
static inline int kq_vips_has_alpha(VipsImage *image) { return vips_image_hasalpha(image); }
static inline const char *kq_vips_error(void) { return vips_error_buffer(); }
static inline void kq_vips_error_clear(void) { vips_error_clear(); }
