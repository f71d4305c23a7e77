# The default plan of CST Outcomes in R, for bench/summarize.sh: reads the sessions view
# exported as CSV, computes the numbers of the default plan with data.table, stats, lme4 +
# lmerTest and metafor, times itself, and compares every number with summary.json.
#
# Usage: Rscript bench/summarize.R sessions.csv summary.json
# Needs (Debian): apt-get install r-base-core r-cran-data.table r-cran-lme4 r-cran-lmertest
#                 r-cran-metafor r-cran-jsonlite
suppressPackageStartupMessages({
  library(data.table); library(lme4); library(lmerTest); library(metafor); library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
t0 <- proc.time()[["elapsed"]]
d <- fread(args[1], na.strings = "")
setorder(d, practitioner_key, client_key, session_number)
measures <- c(pain = "pain_before", sleep_quality = "sleep_quality", headache_days = "headache_days",
              hit6 = "hit6", mymop_profile = "mymop_profile")

# responders: the default rules of measures.json, exact on the 1/12 grid
grid <- function(x) round(x * 12)
responder <- list(
  pain = function(b, a) list(ev = b >= 1, met = b >= 1 & (grid(b) - grid(a)) * 100 >= 30 * grid(b)),
  headache_days = function(b, a) list(ev = b >= 1, met = b >= 1 & (grid(b) - grid(a)) * 100 >= 50 * grid(b)),
  hit6 = function(b, a) list(ev = b >= 42, met = b >= 42 & grid(b) - grid(a) >= 6 * 12),
  mymop_profile = function(b, a) list(ev = b >= 1, met = b >= 1 & grid(b) - grid(a) >= 12))

paired <- function(first, last, m) {
  out <- list(n = length(first))
  if (length(first) < 2) return(out)
  dd <- last - first
  tt <- tryCatch(t.test(last, first, paired = TRUE), error = function(e) NULL)
  if (!is.null(tt)) out <- c(out, list(t = unname(tt$statistic), p = tt$p.value, ci_low = tt$conf.int[1],
                                         ci_high = tt$conf.int[2], mean_change = mean(dd), sd_change = sd(dd)))
  w <- suppressWarnings(tryCatch(wilcox.test(last, first, paired = TRUE, conf.int = TRUE), error = function(e) NULL))
  if (!is.null(w)) out <- c(out, list(wilcoxon_v = unname(w$statistic), wilcoxon_p = w$p.value,
                                        hl_estimate = unname(w$estimate)))
  if (!is.null(responder[[m]])) {
    r <- responder[[m]](first, last)
    ev <- sum(r$ev); met <- sum(r$met)
    out <- c(out, list(evaluable = ev, responders = met))
    if (ev > 0) {
      pt <- prop.test(met, ev, correct = FALSE)
      out <- c(out, list(responder_ci_low = pt$conf.int[1], responder_ci_high = pt$conf.int[2]))
    }
  }
  out
}

by_levels <- function(x, first, last, m) {
  res <- list()
  for (l in sort(unique(x), method = "radix")) { i <- x == l; res[[l]] <- paired(first[i], last[i], m) }
  res
}

analysis <- function(first, last, mod, comp, m) {
  list(overall = paired(first, last, m), by_modality = by_levels(mod, first, last, m),
       by_complaint = by_levels(comp, first, last, m))
}

r <- list()
ws <- d[!is.na(pain_before) & !is.na(pain_after)]
r$pain$within_session <- analysis(ws$pain_before, ws$pain_after, ws$modality, ws$presenting_complaint, "pain")
for (m in names(measures)) {
  col <- measures[[m]]
  v <- d[!is.na(get(col)), .(practitioner_key, client_key, session_number, modality, presenting_complaint,
                              y = as.numeric(get(col)))]
  first_mod <- d[, .(mod = modality[1], comp = presenting_complaint[1]), by = .(practitioner_key, client_key)]
  cl <- v[, .(first = y[1], last = y[.N], n = .N), by = .(practitioner_key, client_key)][n >= 2]
  cl <- merge(cl, first_mod, by = c("practitioner_key", "client_key"))
  r[[m]]$course <- analysis(cl$first, cl$last, cl$mod, cl$comp, m)
  fit <- tryCatch(lmerTest::lmer(y ~ session_number + (1 | practitioner_key/client_key), data = v, REML = TRUE,
                                 control = lmerControl(optimizer = "bobyqa", calc.derivs = FALSE)),
                  error = function(e) NULL)
  if (!is.null(fit)) {
    co <- summary(fit)$coefficients
    vc <- as.data.frame(VarCorr(fit))
    r[[m]]$mixed_model <- list(estimate = co[, "Estimate"], se = co[, "Std. Error"], df = co[, "df"],
                               p = co[, "Pr(>|t|)"], reml = unname(REMLcrit(fit)), variance = vc$vcov)
  }
  ps <- cl[, .(yi = mean(last - first), vi = var(last - first) / .N, n = .N), by = practitioner_key][n >= 5 & vi > 0]
  if (nrow(ps) >= 2) {
    ma <- rma(yi, vi, data = ps, method = "REML", control = list(threshold = 1e-12, maxiter = 10000))
    r[[m]]$meta_analysis <- list(k = ma$k, estimate = unname(ma$beta[1]), se = ma$se, p = ma$pval,
                                 tau2 = ma$tau2, i2 = ma$I2, q = ma$QE)
  }
}
ae <- sum(d$adverse_event != "none")
r$safety <- poisson.test(ae, nrow(d) / 1000)
elapsed <- proc.time()[["elapsed"]] - t0
cat(sprintf("R: %.2f s\n", elapsed))

# compare with summary.json
s <- fromJSON(args[2], simplifyVector = FALSE)
bad <- 0; checked <- 0
cmp <- function(what, got, want, rel, abs = 1e-12) {
  if (is.null(want) || is.null(got)) return(invisible())
  checked <<- checked + 1
  if (!isTRUE(abs(got - want) <= max(abs, rel * abs(want)))) {
    bad <<- bad + 1
    cat(sprintf("DIFFER %s: Go %.17g, R %.17g\n", what, got, want))
  }
}
cmp_block <- function(what, g, rr) {
  for (f in c("n", "t", "p", "ci_low", "ci_high", "mean_change", "sd_change", "wilcoxon_v", "wilcoxon_p",
              "evaluable", "responders", "responder_ci_low", "responder_ci_high"))
    cmp(paste(what, f), g[[f]], rr[[f]], 1e-9)
  cmp(paste(what, "hl_estimate"), g$hl_estimate, rr$hl_estimate, 0, 2e-4)
}
cmp_analysis <- function(what, g, rr) {
  cmp_block(paste(what, "overall"), g$overall, rr$overall)
  for (l in names(rr$by_modality)) cmp_block(paste(what, l), g$by_modality[[l]], rr$by_modality[[l]])
  for (l in names(rr$by_complaint)) cmp_block(paste(what, l), g$by_complaint[[l]], rr$by_complaint[[l]])
}
cmp_analysis("pain within_session", s$outcomes$pain$within_session, r$pain$within_session)
for (m in names(measures)) {
  o <- s$outcomes[[m]]
  cmp_analysis(paste(m, "course"), o$course, r[[m]]$course)
  mm <- r[[m]]$mixed_model; g <- o$mixed_model$overall
  if (!is.null(mm) && !is.null(g$fixed)) {
    terms <- c("(Intercept)", "session_number")
    for (i in 1:2) {
      cmp(paste(m, terms[i], "estimate"), g$fixed[[terms[i]]]$estimate, mm$estimate[[i]], 1e-4, 1e-8)
      cmp(paste(m, terms[i], "se"), g$fixed[[terms[i]]]$se, mm$se[[i]], 1e-3, 1e-8)
      cmp(paste(m, terms[i], "df"), g$fixed[[terms[i]]]$df, mm$df[[i]], 1e-2)
    }
    cmp(paste(m, "reml_criterion"), g$reml_criterion, mm$reml, 1e-6)
  }
  ma <- r[[m]]$meta_analysis; g <- o$meta_analysis$overall
  if (!is.null(ma)) {
    cmp(paste(m, "meta k"), g$k, ma$k, 0)
    cmp(paste(m, "meta estimate"), g$estimate, ma$estimate, 1e-5, 1e-8)
    cmp(paste(m, "meta se"), g$se, ma$se, 1e-4, 1e-10)
    cmp(paste(m, "meta tau2"), g$tau2, ma$tau2, 1e-4, 1e-6)
    cmp(paste(m, "meta q"), g$q, ma$q, 1e-9)
  }
}
cmp("safety rate", s$safety$overall$rate_per_1000, unname(r$safety$estimate), 1e-9)
cmp("safety ci_low", s$safety$overall$rate_ci_low, r$safety$conf.int[1], 1e-9)
cmp("safety ci_high", s$safety$overall$rate_ci_high, r$safety$conf.int[2], 1e-9)
cat(sprintf("compared %d numbers: %d differ\n", checked, bad))
quit(status = if (bad > 0) 1 else 0)
