#include <stdio.h>
#include <fakelibc.h>
#include <stddef.h>
#ifndef FAKE_STDIO
#error "host stdio.h used instead of the sysroot's"
#endif
fake_t v = FAKE_LIBC_VERSION;
size_t s;
