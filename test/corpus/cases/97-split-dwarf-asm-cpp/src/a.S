#define RET ret
	.text
	.globl f
f:
	RET
