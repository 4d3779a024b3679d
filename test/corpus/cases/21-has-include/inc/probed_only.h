/* only probed with __has_include, never included */
