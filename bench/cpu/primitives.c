/* The CPU primitives under the guard's hot path, each alone, as the minimum over 200 runs of 1M (preemption only adds):
   rdtsc, clock_gettime (the Stopwatch fallback), lock xadd / lock cmpxchg (the in-use count and the StateChange CAS).
   gcc -O2 bench/cpu/primitives.c -o /tmp/primitives && /tmp/primitives   (BENCHMARKS.md, the guard, section 6) */
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e9+t.tv_nsec;}
static __thread long tls;
int main(){ const int N=1000000; unsigned long long s=0; double best[6]={1e9,1e9,1e9,1e9,1e9,1e9};
 volatile long x=0; long y=0;
 for(int r=0;r<200;r++){
  double t0=now(); for(int i=0;i<N;i++){ s+=__rdtsc(); } double t1=now();
  struct timespec t; for(int i=0;i<N;i++){clock_gettime(CLOCK_MONOTONIC,&t); s+=t.tv_nsec;} double t2=now();
  for(int i=0;i<N;i++) __sync_fetch_and_add(&x,1); double t3=now();
  for(int i=0;i<N;i++){ long o=x; __sync_bool_compare_and_swap(&x,o,o+1);} double t4=now();
  for(int i=0;i<N;i++){ asm volatile("" ::: "memory"); y++; } double t5=now();
  for(int i=0;i<N;i++){ asm volatile("" ::: "memory"); tls++; } double t6=now();
  double d[6]={t1-t0,t2-t1,t3-t2,t4-t3,t5-t4,t6-t5};
  for(int k=0;k<6;k++) if(d[k]/N<best[k]) best[k]=d[k]/N;
 }
 printf("min over 200 runs of 1M (ns/op): rdtsc %.2f  clock_gettime %.2f  lock xadd %.2f  lock cmpxchg %.2f  plain inc %.2f  tls inc %.2f\n",best[0],best[1],best[2],best[3],best[4],best[5]);
 return (int)((s+y)&1);}
