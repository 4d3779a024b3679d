/* the fake sysroot's stdio.h */
#define FAKE_STDIO 1
int printf (const char *, ...);
