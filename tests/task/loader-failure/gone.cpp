// A shared library that is built but never installed: fkv-loader-failure needs it at load time.
int fkv_task_gone() { return 0; }
