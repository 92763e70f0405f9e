# R side of the earlywarnings cross-check (bench/ews/crosscheck_earlywarnings.sh): base R ksmooth
# detrending, ar.ols order 1, sd and moments-style skewness/kurtosis over right-aligned windows, as
# earlywarnings generic_ews computes them (winsize 50%, bandwidth 10%); writes JSON to $OUT.
set.seed(3)
n <- 150
t <- 1:n
x <- 10 + 0.02 * t + (0.5 + t / n) * rnorm(n)
bw <- round(n * 10 / 100)            # earlywarnings: bandwidth = 10 (%)
sm <- ksmooth(t, x, kernel = "normal", bandwidth = bw, range.x = range(t), x.points = t)$y
res <- x - sm
mw <- round(n * 50 / 100)            # winsize = 50 (%)
ar1 <- sd1 <- sk <- ku <- rep(NA, n)
for (i in mw:n) {
  w <- res[(i - mw + 1):i]
  ar1[i] <- ar.ols(w, aic = FALSE, order.max = 1, demean = TRUE, intercept = FALSE)$ar
  sd1[i] <- sd(w)
  m <- mean(w); m2 <- mean((w - m)^2)
  sk[i] <- mean((w - m)^3) / m2^1.5    # moments::skewness
  ku[i] <- mean((w - m)^4) / m2^2      # moments::kurtosis
}
tau <- function(v) { ok <- !is.na(v); cor(t[ok], v[ok], method = "kendall") }

write(paste0('{"series":[', paste(sprintf("%.17g", x), collapse = ","), '],"bw":', bw, ',"mw":', mw,
  ',"trend":[', paste(sprintf("%.17g", sm), collapse = ","), '],',
  '"ar1":[', paste(ifelse(is.na(ar1), "null", sprintf("%.17g", ar1)), collapse = ","), '],',
  '"sd":[', paste(ifelse(is.na(sd1), "null", sprintf("%.17g", sd1)), collapse = ","), '],',
  '"skewness":[', paste(ifelse(is.na(sk), "null", sprintf("%.17g", sk)), collapse = ","), '],',
  '"kurtosis":[', paste(ifelse(is.na(ku), "null", sprintf("%.17g", ku)), collapse = ","), '],',
  '"tau_ar1":', sprintf("%.17g", tau(ar1)), ',"tau_sd":', sprintf("%.17g", tau(sd1)), '}'), Sys.getenv("OUT", "r.json"))
