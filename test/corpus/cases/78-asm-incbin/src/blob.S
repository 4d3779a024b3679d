	.section .rodata
	.globl	blob
blob:
	.incbin	"data/blob.bin"
	.globl	blob_end
blob_end:
