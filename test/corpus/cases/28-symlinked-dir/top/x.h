#error "resolved .. textually instead of through the symlink"
