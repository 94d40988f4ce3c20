// Declarations only: LLVMFuzzerRunDriver comes with -sanitize=fuzzer.
#include "CFuzzer.h"
