#define STR_(x) #x
#define STR(x) STR_(x)
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define PLAIN_H "plain.h"
#define ANGLE_H <angle.h>
#define ARCH_NAME arch_x86
#define VERSION v2

#include CONFIG_HEADER
#include PLAIN_H
#include ANGLE_H
#include STR(ARCH_NAME.h)
#include STR(CAT(gen_, VERSION).h)

int all = CONFIG_OS + PLAIN + ANGLE + ARCH + GEN;
