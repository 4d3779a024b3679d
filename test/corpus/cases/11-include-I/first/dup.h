#define DUP_FROM 1
