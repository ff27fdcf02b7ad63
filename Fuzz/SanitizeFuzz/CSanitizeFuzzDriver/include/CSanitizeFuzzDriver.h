// libFuzzer's entry point for programs that bring their own main (LLVM ≥ 11). Only declared
// here; it is linked in when the executable is built with -sanitize=fuzzer.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
