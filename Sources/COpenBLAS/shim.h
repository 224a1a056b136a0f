#include <cblas.h>
#include <stddef.h>

/* LAPACK's symmetric eigensolver (divide and conquer). Debian's libopenblas0 is built with LAPACK
 * (it provides the liblapack.so.3 alternative), so libopenblas already exports dsyevd_: no
 * liblapacke package is needed for the one routine the static-model distillation uses. Fortran
 * calling convention: every argument by address, and gfortran's hidden lengths of the two
 * CHARACTER arguments at the end. */
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_length, size_t uplo_length);
