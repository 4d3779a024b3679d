int from_stdin = __LINE__;
