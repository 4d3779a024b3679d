#define FAKE_LIBC_VERSION 77
typedef int fake_t;
