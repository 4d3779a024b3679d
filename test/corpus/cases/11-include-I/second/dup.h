#define DUP_FROM 2
