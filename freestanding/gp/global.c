/* Small globals, which gcc puts in .sdata, in a relaxable object: GNU ld turns the load of
   `freepoll_gp_value` in `freepoll_gp_global` into one gp-relative `lw`. `freepoll_gp_before`
   (read too, so that --gc-sections keeps it) only moves the value away from the very edge of
   gp's reach, where the linker does not relax. */
long freepoll_gp_before[2] = {1, 2};
int freepoll_gp_value = 42;

int freepoll_gp_global(void) { return freepoll_gp_value + (int)(freepoll_gp_before[1] - 2); }
