// libFuzzer's driver entry point, declared for Swift. Header only: the symbol comes from
// libFuzzer itself when the executable is linked with -sanitize=fuzzer.
#ifndef KIOSQUE_CFUZZERDRIVER_H
#define KIOSQUE_CFUZZERDRIVER_H
#include <stddef.h>
#include <stdint.h>

typedef int (*KiosqueFuzzCallback)(const uint8_t *data, size_t size);
int LLVMFuzzerRunDriver(int *argc, char ***argv, KiosqueFuzzCallback callback);

#endif
