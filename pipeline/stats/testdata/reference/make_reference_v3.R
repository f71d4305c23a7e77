# make_reference_v3.R: adds the "version 3" cases to this statistical reference suite: two
# wilcoxon_signed_rank edge cases (cases/*.json) and the section "Cases added in version 3" at
# the end of README.md. It never changes a file that make_reference.R or make_reference_v2.R wrote
# (it compares the MD5 of every such file before and after) and only ever writes or removes its own
# files, so run it after both:
#
#   cd <this folder> && Rscript make_reference.R && Rscript make_reference_v2.R && Rscript make_reference_v3.R
#
# Needs R (>= 4.2) with jsonlite. The output is deterministic: a second run writes byte-identical
# files. Every expected number is computed here by R; none is typed in.

suppressPackageStartupMessages(library(jsonlite))
options(useFancyQuotes = FALSE, warn = 1, stringsAsFactors = FALSE)
Sys.setenv(LANGUAGE = "en")
RNGkind("Mersenne-Twister", "Inversion", "Rejection")

# Work in the folder that holds this script; every path written below is relative to it.
local({
  a <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", a[grepl("^--file=", a)])
  if (length(f) == 1L) setwd(dirname(f))
})
stopifnot(file.exists("README.md"), dir.exists("cases"), dir.exists("data"),
          any(readLines("README.md", warn = FALSE) == "## Methods added in version 2"))

# Files of this script: exactly these case ids (their method exists since version 1, so they are
# named one by one rather than by a prefix). Everything else in cases/ and data/ is older.
V3_CASES <- c("wilcoxon_all_zero_differences_edge", "wilcoxon_exact_n4_conf_level_edge")
v3_case_files <- function() file.path("cases", paste0(V3_CASES, ".json"))
OLD_FILES <- sort(setdiff(c(file.path("cases", list.files("cases")), file.path("data", list.files("data"))),
                          v3_case_files()))
stopifnot(length(OLD_FILES) > 0)
OLD_MD5 <- tools::md5sum(OLD_FILES)
unlink(v3_case_files())

# ============================================================================================
# 1. Small helpers (as in make_reference.R)
# ============================================================================================

# Shortest decimal text that R reads back as exactly the same double (integers without a point).
num_text <- function(v) {
  if (is.na(v)) return("")
  if (v == 0) return("0")
  if (v == round(v) && abs(v) < 1e15) return(sprintf("%.0f", v))
  for (p in 15:17) {
    s <- sprintf(paste0("%.", p, "g"), v)
    if (as.numeric(s) == v) return(s)
  }
  stop("no round-trip text for ", v)
}

# ---- JSON writer (numbers: 17 significant digits; non-finite numbers as strings) -----------
json_string <- function(s) as.character(jsonlite::toJSON(s, auto_unbox = TRUE))
json_number <- function(x) {
  if (is.na(x) && !is.nan(x)) return("\"NA\"")
  if (is.nan(x)) return("\"NaN\"")
  if (is.infinite(x)) return(if (x > 0) "\"Inf\"" else "\"-Inf\"")
  if (x == 0) return("0")
  sprintf("%.17g", x)
}
json_input_number <- function(x) {                                     # shortest exact text
  if (is.na(x) || is.infinite(x)) return(json_number(x))
  num_text(x)
}
to_json <- function(x, indent = 0L, input = FALSE) {
  pad <- strrep("  ", indent); pad1 <- strrep("  ", indent + 1L)
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (!is.null(names(x))) {
      if (length(x) == 0L) return("{}")
      items <- vapply(seq_along(x), function(i)
        paste0(pad1, json_string(names(x)[i]), ": ",
               to_json(x[[i]], indent + 1L, input || names(x)[i] %in% c("input", "intermediate", "tolerance"))), "")
      return(paste0("{\n", paste(items, collapse = ",\n"), "\n", pad, "}"))
    }
    if (length(x) == 0L) return("[]")
    parts <- vapply(x, to_json, "", indent = indent + 1L, input = input)
    if (all(vapply(x, function(e) !is.list(e), TRUE)))
      return(paste0("[", paste(parts, collapse = ", "), "]"))
    return(paste0("[\n", paste0(pad1, parts, collapse = ",\n"), "\n", pad, "]"))
  }
  if (length(x) != 1L) stop("atomic value of length ", length(x), ": wrap arrays in as.list()")
  if (is.logical(x)) return(if (is.na(x)) "\"NA\"" else if (x) "true" else "false")
  if (is.character(x)) return(json_string(x))
  if (is.numeric(x)) return(if (input) json_input_number(as.double(x)) else json_number(as.double(x)))
  stop("unsupported type")
}

# R source text for a value (used to write the r_setup of inline inputs).
r_literal <- function(v) {
  if (is.character(v)) return(paste0("\"", v, "\""))
  if (is.logical(v)) return(if (is.na(v)) "NA" else if (v) "TRUE" else "FALSE")
  if (is.na(v)) return("NA")
  if (is.infinite(v)) return(if (v > 0) "Inf" else "-Inf")
  num_text(v)
}
r_vector <- function(v) paste0("c(", paste(vapply(v, r_literal, ""), collapse = ", "), ")")

TOL_CLOSED <- list(rel = 1e-9, abs = 1e-12)

# ============================================================================================
# 2. Case runner (as in make_reference.R; inline values only)
# ============================================================================================

CASES <- list()

make_setup <- function(input) {
  stopifnot(is.null(input$data))
  vapply(names(input$values), function(nm) sprintf("%s <- %s", nm, r_vector(unlist(input$values[[nm]]))), "",
         USE.NAMES = FALSE)
}

add_case <- function(id, method, title, input, r_call, extract, tol = TOL_CLOSED, notes = "") {
  stopifnot(!id %in% names(CASES), id %in% V3_CASES)
  setup <- make_setup(input)
  env <- new.env(parent = globalenv())
  warns <- character(); msgs <- character()
  res <- withCallingHandlers(
    tryCatch({
      eval(parse(text = setup), envir = env)
      r <- eval(parse(text = r_call), envir = env)
      list(ok = TRUE, expected = extract(r, env))
    }, error = function(e) list(ok = FALSE, expected = list(error = conditionMessage(e)))),
    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") },
    message = function(m) { msgs <<- c(msgs, sub("\n$", "", conditionMessage(m))); invokeRestart("muffleMessage") })
  stopifnot(res$ok)
  expected <- lapply(res$expected, as.double)
  case <- list(id = id, method = method, title = title, r_setup = paste(setup, collapse = "\n"), r_call = r_call,
               input = input, expected = expected, tolerance = tol,
               r_warnings = as.list(unique(warns)), r_messages = as.list(unique(msgs)), notes = notes)
  CASES[[id]] <<- case
  invisible(expected)
}

ci_fields <- function(ci) list(conf_low = ci[1], conf_high = ci[2], conf_level = attr(ci, "conf.level"))
ex_wilcox <- function(h, env) {
  out <- list(statistic = unname(h$statistic), p_value = h$p.value)
  if (!is.null(h$conf.int)) out <- c(out, list(estimate = unname(h$estimate)), ci_fields(h$conf.int))
  out
}

# ============================================================================================
# 3. Cases
# ============================================================================================

WX_CALL <- "wilcox.test(x, y, paired = TRUE, conf.int = TRUE)"
WX_PARAMS <- list(alternative = "two.sided", conf_level = 0.95, exact = "auto", correct = TRUE)

set.seed(20250601)
xz <- sample(0:10, 6, TRUE)
add_case("wilcoxon_all_zero_differences_edge", "wilcoxon_signed_rank", "Edge: every difference is 0 (estimate, CI and p NaN)",
  list(values = list(x = as.list(xz), y = as.list(xz)), params = WX_PARAMS),
  WX_CALL, ex_wilcox,
  notes = paste("x equals y, so every difference is 0 and all are dropped: n = 0. R falls back to the normal",
                "approximation (with its two warnings about zeroes), V = 0 and z = 0/0, so the p-value is NaN; with",
                "n = 0 no interval is attempted: both limits and the estimate are NaN and conf.level is 0. The",
                "estimate is NaN, not 0 and not a midrange (that is the all-equal non-zero case,",
                "wilcoxon_constant_difference_edge)."))

set.seed(20250602)
repeat {                                                   # 4 pairs, non-zero differences, distinct |d|
  y4 <- sample(3:12, 4, TRUE)
  d4 <- sample(c(-6:-1, 1:6), 4)
  if (!anyDuplicated(abs(d4))) break
}
add_case("wilcoxon_exact_n4_conf_level_edge", "wilcoxon_signed_rank", "Edge: exact, n = 4, 95% not achievable (conf.level 0.88)",
  list(values = list(x = as.list(y4 + d4), y = as.list(y4)), params = WX_PARAMS),
  WX_CALL, ex_wilcox,
  notes = paste("n = 4 non-zero, untied differences: exact method. qsignrank(0.025, 4) = 0 so qu = 1 and the interval",
                "is [min, max] of the 10 Walsh averages, with achieved alpha 2 psignrank(0, 4) = 0.125 > 0.05 + 0.025:",
                "R warns 'requested conf.level not achievable' and reports conf.level = 1 - signif(0.125, 2) = 0.88.",
                "signif rounds 12.5 (an exact double) to the even 12 (C's nearbyint in R's fprec), so 1 - 0.12 = 0.88,",
                "not 1 - 0.13 = 0.87 as rounding halves away from zero gives."))

# ============================================================================================
# 4. Checks (stop if any disagree)
# ============================================================================================

ev <- function(id) CASES[[id]]$expected
local({
  z <- ev("wilcoxon_all_zero_differences_edge")
  stopifnot(z$statistic == 0, is.nan(z$p_value), is.nan(z$estimate), is.nan(z$conf_low), is.nan(z$conf_high),
            z$conf_level == 0)
  e <- ev("wilcoxon_exact_n4_conf_level_edge")
  d <- CASES$wilcoxon_exact_n4_conf_level_edge$input$values
  d <- unlist(d$x) - unlist(d$y)
  w <- outer(d, d, "+") / 2
  w <- sort(w[upper.tri(w, diag = TRUE)])
  stopifnot(length(w) == 10L, e$conf_low == w[1], e$conf_high == w[10], e$estimate == median(w),
            2 * psignrank(0, 4) == 0.125, e$conf_level == 1 - signif(0.125, 2), e$conf_level == 0.88)
  # signif rounds an exact half of the scaled double to even (the README's table).
  stopifnot(signif(0.125, 2) == 0.12, signif(0.375, 2) == 0.38, signif(0.0625, 2) == 0.062,
            signif(2.5, 1) == 2, signif(3.5, 1) == 4)
})

# ============================================================================================
# 5. README section (appended to the README.md that make_reference_v2.R left; replaced on re-runs)
# ============================================================================================

README_V3 <- r"---[## Cases added in version 3

Written by `make_reference_v3.R` after `make_reference_v2.R`: two more `wilcoxon_signed_rank` edge
cases and this section; it never changes an older file. Everything above (case format, comparison
rule, the method's section under "Methods") applies unchanged. Regenerate all three, in this order:

```sh
apt-get install -y r-base-core r-cran-lme4 r-cran-lmertest r-cran-metafor r-cran-jsonlite r-cran-mice r-cran-mass
Rscript make_reference.R && Rscript make_reference_v2.R && Rscript make_reference_v3.R      # from this folder
```

`make_reference.R` and `make_reference_v2.R` each cut the README at their own last section, so
running either alone drops this section (and `make_reference.R` the case files); running
`make_reference_v3.R` after them restores both byte for byte. Version-3 case ids are exactly those in
the table below.

### R environment used (version 3)

{{VERSIONS}}

### wilcoxon_signed_rank: two more edges

- Every difference 0 (step 7 of the method's section): n = 0, V = 0, the p-value is NaN (z = 0/0) and,
  since no interval is attempted, the limits **and the estimate** are NaN and `conf_level` is 0. R also
  warns that it cannot compute the exact p-value and interval "with zeroes".
- Exact interval short of the requested level (step 4): `conf_level` is `1 - signif(achieved alpha, 2)`.
  R's `signif` (C function `fprec`, src/nmath/fprec.c) scales the value to an integer range and rounds it
  with C's `nearbyint`, which rounds an exact half to even: `signif(0.125, 2)` = 0.12 (12.5 is exact in
  binary), `signif(0.375, 2)` = 0.38, `signif(0.0625, 2)` = 0.062, `signif(2.5, 1)` = 2, `signif(3.5, 1)` = 4.
  With n = 4 the achieved alpha is 2 `psignrank(0, 4)` = 0.125, so `conf_level` = 0.88; rounding halves
  away from zero would give 0.87.

### Cases (version 3)

{{CASES}}
]---"

write_readme_v3 <- function(cases) {
  versions <- paste0("```\n", R.version.string, "\n", "Platform: ", R.version$platform, "\n",
                     "Running under: ", utils::osVersion, "\n",
                     "Packages: stats ", utils::packageDescription("stats")$Version,
                     ", jsonlite ", utils::packageDescription("jsonlite")$Version, "\n```")
  tab <- c("| id | method | what | input |", "|---|---|---|---|")
  for (cs in cases)
    tab <- c(tab, sprintf("| `%s` | `%s` | %s | inline |", cs$id, cs$method, gsub("|", "\\|", cs$title, fixed = TRUE)))
  txt <- sub("{{VERSIONS}}", versions, README_V3, fixed = TRUE)
  txt <- sub("{{CASES}}", paste(tab, collapse = "\n"), txt, fixed = TRUE)

  old <- readLines("README.md", warn = FALSE)
  cut <- which(old == "## Cases added in version 3")
  if (length(cut)) old <- old[seq_len(cut[1] - 1L)]
  while (length(old) && old[length(old)] == "") old <- old[-length(old)]
  # one row in the contents table and one line in the regenerate block of the version-1 text
  row2 <- paste("| `make_reference_v2.R` | run after `make_reference.R`: adds the version-2 data files and cases and",
                "the last section of this README (\"Methods added in version 2\") |")
  row3 <- paste("| `make_reference_v3.R` | run after `make_reference_v2.R`: adds the version-3 cases and the",
                "section \"Cases added in version 3\" of this README |")
  if (!row3 %in% old) { i <- match(row2, old); stopifnot(!is.na(i)); old <- append(old, row3, after = i) }
  run2 <- "Rscript make_reference_v2.R   # then this one (see \"Methods added in version 2\")"
  run3 <- "Rscript make_reference_v3.R   # and last this one (see \"Cases added in version 3\")"
  if (!run3 %in% old) { i <- match(run2, old); stopifnot(!is.na(i)); old <- append(old, run3, after = i) }
  writeLines(c(old, "", txt), "README.md", useBytes = TRUE)
}

# ============================================================================================
# 6. Write the cases and the README section
# ============================================================================================

for (cs in CASES) {
  path <- file.path("cases", paste0(cs$id, ".json"))
  writeLines(to_json(cs), path, useBytes = TRUE)
  back <- jsonlite::fromJSON(path, simplifyVector = FALSE)
  for (nm in names(cs$expected)) {                       # every number must read back exactly
    a <- cs$expected[[nm]]; b <- back$expected[[nm]]
    if (is.finite(a)) stopifnot(is.numeric(b), b == a) else stopifnot(is.character(b))
  }
}
stopifnot(setequal(names(CASES), V3_CASES))
write_readme_v3(CASES)
stopifnot(identical(tools::md5sum(OLD_FILES), OLD_MD5))  # no older file was touched
cat(sprintf("wrote %d cases (version 3)\n", length(CASES)))
