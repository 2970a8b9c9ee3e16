// fkv-loader-failure: a real ELF that glibc's program loader refuses to start ("error while loading
// shared libraries: libfkv_task_gone.so", exit code 127), because the library it links against is
// found through no RPATH and no system path. tests/task/launcher.test.js packages it as the dynamic
// build to check that the launcher's --version probe falls back to the static one. main never runs.
int fkv_task_gone();

int main() { return fkv_task_gone(); }
