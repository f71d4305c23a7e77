# Fit the benchmark data with lme4 and time it.
#
# Usage: Rscript lme4.R data.csv    (data.csv from `go run ./bench/lmm -csv data.csv`)
# Needs R with lme4: apt-get install -y r-base-core r-cran-lme4
# Prints the estimates and "r_seconds <elapsed>" (the lmer call only; reading the CSV is not
# timed, as the Go figure does not include generating the data). lme4's default optimizer
# settings are used, as the summarize stage would use FitLMM's defaults.
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1L) stop("usage: Rscript lme4.R data.csv")
suppressPackageStartupMessages(library(lme4))
d <- read.csv(args[1], colClasses = c("character", "character", "numeric", "numeric"))
el <- system.time(fit <- lmer(y ~ session_number + (1 | practitioner_key/client_key), data = d, REML = TRUE))[["elapsed"]]
co <- summary(fit)$coefficients
for (i in seq_len(nrow(co))) cat(sprintf("r  %-15s %.10f se %.10f\n", rownames(co)[i], co[i, 1], co[i, 2]))
th <- getME(fit, "theta")
cat(sprintf("r  theta %.10f %.10f sigma %.10f REML %.8f\n", th[1], th[2], sigma(fit), REMLcrit(fit)))
cat(sprintf("r_seconds %.4f\n", el))
