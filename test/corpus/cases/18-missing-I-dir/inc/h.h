#define H 1
