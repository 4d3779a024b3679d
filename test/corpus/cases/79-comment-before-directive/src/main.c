/* SPDX-License-Identifier: GPL-2.0 */ #include "first.h"
/* spans
   lines */ #include <second.h>
int main (void) { return first () + second (); }
