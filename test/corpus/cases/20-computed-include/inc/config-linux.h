#define CONFIG_OS 1
