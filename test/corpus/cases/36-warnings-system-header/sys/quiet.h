#pragma GCC system_header
static int quiet_unused;
