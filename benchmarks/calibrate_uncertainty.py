"""Calibrate and validate the pass-time / position uncertainty model (``orbits.uncertainty``).

Data: two real CelesTrak "active" catalogues 22 days apart (``../shared/data``
beside the repository).  The newer elements are the truth near their own
epoch; the older ones, propagated forward to it, are compared with them (and
the newer ones propagated back to the older epoch, for negative ages).  The
difference is split into along-track timing (s), cross-track and radial (km).

Run from the repository::

    python benchmarks/calibrate_uncertainty.py            # fit, print constants and held-out tables
    python benchmarks/calibrate_uncertainty.py --check    # held-out tables of the module's constants only
    python benchmarks/calibrate_uncertainty.py --passes 400   # also the pass-time check (400 satellites)

The fit uses the training split only (:func:`is_held_out` false); every table
is computed on the held-out split.  See ``docs/uncertainty.md``.
"""

import argparse
import time
import zlib
from pathlib import Path

import numpy as np

from orbits import uncertainty as unc
from orbits.reading import load_elements

DATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "data"
OLD_FILE, NEW_FILE = "active-2026-03-19.tle", "active-2026-04-10.tle"
CLASSES = ("LEO", "SSO", "MEO", "GEO", "HEO")
#: Per class, at least this many held-out samples for a coverage figure to count.
MIN_SAMPLES = 100
#: Quantile the bounds are fitted to, and the coverage the scale step aims at
#: on the training split (a little above 0.90 so the held-out split keeps 0.90).
QUANTILE = 0.90
TRAIN_COVERAGE = 0.92
#: Where the coefficient search starts (every class), so a re-run does not depend on the module's values.
FIT_START = {"linear": 0.1, "drag": 0.5, "quadratic": 0.01}
_JD_UNIX = 2440587.5


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------


def is_held_out(norad_id):
    """The held-out split: about 30% of NORAD numbers, by a hash (never fitted on)."""
    return zlib.crc32(str(int(norad_id)).encode()) % 10 < 3


def is_starlink(element_set):
    """Labels the Starlink constellation, for reporting only (the model never sees names)."""
    return element_set.name.upper().startswith("STARLINK")


def load_pairs(data_dir=DATA_DIR):
    """``[(older, newer)]`` ElementSets of the satellites in both catalogues, by NORAD number."""
    old = {e.norad_id: e for e in load_elements(Path(data_dir) / OLD_FILE)}
    new = {e.norad_id: e for e in load_elements(Path(data_dir) / NEW_FILE)}
    return [(old[n], new[n]) for n in sorted(set(old) & set(new))]


def _days(dt):
    return dt.timestamp() / 86400.0


def error_samples(
    pairs, offsets_days=(-2.0, -1.0, 0.0, 1.0, 2.0), step_days=0.25, margin_days=2.0, min_age_days=1.0
):
    """Errors of each set propagated to the other's epoch (and ``offsets_days`` around it).

    Both sets are propagated on one grid per satellite from the older epoch
    minus ``margin_days`` to the newer plus ``margin_days`` (one ``sgp4_array``
    call per set); the phase of the older position in the newer orbit plane
    is unwrapped along it, so timing errors beyond half a revolution are
    counted whole.  A forward sample is the older set at age ``t - t_old``
    judged by the newer set ``t - t_new`` from its epoch (|offset| <= margin);
    a backward sample the newer set judged by the older likewise.

    Returns a dict of arrays, one entry a sample: ``norad_id``, ``index``
    (into ``pairs``), ``forward`` (bool), ``age_days`` (>= 0), ``truth_age_days``,
    ``timing_s`` (signed: positive ahead), ``cross_km``, ``radial_km``,
    ``position_km`` (distance), and ``pairs_used`` (indices of pairs kept).
    """
    ta = np.array([_days(a.epoch) for a, _ in pairs])
    tb = np.array([_days(b.epoch) for _, b in pairs])
    keep = np.flatnonzero(tb - ta >= min_age_days)
    ta, tb = ta[keep], tb[keep]
    tail = np.arange(1, round(margin_days / step_days) + 1) * step_days
    middle = np.linspace(0.0, 1.0, max(3, int(np.ceil(np.max(tb - ta, initial=1.0) / step_days)) + 1))
    t = np.concatenate(
        [ta[:, None] - tail[::-1], ta[:, None] + (tb - ta)[:, None] * middle, tb[:, None] + tail], axis=1
    )
    n, m = t.shape
    whole = np.floor(t)
    jd, fr = whole + _JD_UNIX, t - whole
    ra, rb, vb = np.empty((n, m, 3)), np.empty((n, m, 3)), np.empty((n, m, 3))
    failed = np.zeros(n, bool)
    for k, i in enumerate(keep.tolist()):
        a, b = pairs[i]
        ea, ra[k], _ = a.model.sgp4_array(jd[k], fr[k])
        eb, rb[k], vb[k] = b.model.sgp4_array(jd[k], fr[k])
        failed[k] = ea.any() or eb.any()  # decayed within the window: not usable
    ok = ~failed
    keep, ta, tb, t, ra, rb, vb = keep[ok], ta[ok], tb[ok], t[ok], ra[ok], rb[ok], vb[ok]
    h = np.cross(rb, vb)
    h_norm = np.linalg.norm(h, axis=-1)
    hn = h / h_norm[..., None]
    r2 = np.einsum("...i,...i", rb, rb)
    phase = np.arctan2(np.einsum("...i,...i", np.cross(rb, ra), hn), np.einsum("...i,...i", rb, ra))
    phase = np.unwrap(phase, axis=1)
    # The unwrapped curve is known up to whole turns: take the turn count that
    # makes the errors at the two epochs smallest together.
    j_a, j_b = len(tail), len(tail) + len(middle) - 1
    turns = np.arange(-4, 5)[None, :] * 2 * np.pi
    cost = np.abs(phase[:, j_a, None] + turns) + np.abs(phase[:, j_b, None] + turns)
    phase = phase + turns[0, np.argmin(cost, axis=1)][:, None]
    timing = phase / (h_norm / r2)  # s: the angle over the truth's angular rate
    d = ra - rb
    cross = np.einsum("...i,...i", d, hn)
    radial = np.linalg.norm(ra, axis=-1) - np.sqrt(r2)
    distance = np.linalg.norm(d, axis=-1)
    out = {
        k: []
        for k in (
            "index",
            "forward",
            "age_days",
            "truth_age_days",
            "timing_s",
            "cross_km",
            "radial_km",
            "position_km",
        )
    }
    rows = np.arange(n - failed.sum())
    for forward in (True, False):
        for off in offsets_days:
            target = (tb if forward else ta) + off
            j = np.argmin(np.abs(t - target[:, None]), axis=1)
            tj = t[rows, j]
            age = tj - ta if forward else tb - tj
            truth_age = tj - (tb if forward else ta)
            sign = 1.0 if forward else -1.0
            out["index"].append(keep)
            out["forward"].append(np.full(len(keep), forward))
            out["age_days"].append(age)
            out["truth_age_days"].append(truth_age)
            out["timing_s"].append(sign * timing[rows, j])
            out["cross_km"].append(sign * cross[rows, j])
            out["radial_km"].append(sign * radial[rows, j])
            out["position_km"].append(distance[rows, j])
    out = {k: np.concatenate(v) for k, v in out.items()}
    out["norad_id"] = np.array([pairs[i][0].norad_id for i in out["index"].tolist()])
    out["pairs_used"] = keep
    return out


def sample_sets(pairs, samples):
    """The ElementSet whose error each sample measures (older set forward, newer backward)."""
    return [
        pairs[i][0] if f else pairs[i][1]
        for i, f in zip(samples["index"].tolist(), samples["forward"].tolist())
    ]


def features(sets):
    """Per-set arrays the model reads (see :func:`orbits.uncertainty.model_features`)."""
    cols = [unc.model_features(e) for e in sets]
    return {k: np.array([c[k] for c in cols]) for k in cols[0]}


# --------------------------------------------------------------------------
# Fit
# --------------------------------------------------------------------------


def pinball_log(err, bound, q=QUANTILE):
    """Quantile (pinball) loss of log |error| against log bound (a log-space quantile fit)."""
    r = np.log(np.maximum(np.abs(err), 1e-6)) - np.log(bound)
    return float(np.mean(np.maximum(q * r, (q - 1) * r)))


def fit_class(age, feat, err, floor_s, start, free):
    """Coordinate search (log10 of each free coefficient) minimising the log pinball loss."""
    coef = dict(start)

    def loss(c):
        return pinball_log(err, unc.time_bound_s(age, feat, c, floor_s))

    best = loss(coef)
    for span in (2.0, 1.0, 0.4, 0.15, 0.05):
        for _ in range(3):
            for name in free:
                centre = np.log10(max(coef[name], 1e-12))
                trial_values = 10 ** np.linspace(centre - span, centre + span, 21)
                if coef[name] == 0.0:
                    trial_values = np.concatenate([[0.0], 10 ** np.linspace(-8, 2, 41)])
                for v in trial_values:
                    trial = dict(coef, **{name: float(v)})
                    value = loss(trial)
                    if value < best - 1e-12:
                        best, coef = value, trial
    return coef, best


def scale_to_coverage(age, feat, err, coef, floor_s, target=TRAIN_COVERAGE):
    """Multiply the growth coefficients so that ``target`` of the training errors are covered."""

    def coverage(s):
        scaled = {k: v * s for k, v in coef.items()}
        return np.mean(np.abs(err) <= unc.time_bound_s(age, feat, scaled, floor_s))

    lo, hi = 0.05, 50.0
    for _ in range(60):
        mid = np.sqrt(lo * hi)
        lo, hi = (mid, hi) if coverage(mid) < target else (lo, mid)
    return {k: v * hi for k, v in coef.items()}


# --------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------


def coverage_row(err, bound):
    err = np.abs(err)
    return (
        len(err),
        float(np.mean(err <= bound)),
        float(np.median(bound) / max(np.median(err), 1e-9)),
        float(np.median(err)),
        float(np.quantile(err, 0.9)),
        float(np.median(bound)),
    )


def print_table(title, groups, unit):
    print(f"\n{title}")
    print(
        f"| group | samples | coverage | sharpness | median error {unit} | 90% error {unit} | "
        f"median bound {unit} |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, (err, bound) in groups:
        if len(err) == 0:
            continue
        n, cov, sharp, e50, e90, b50 = coverage_row(err, bound)
        print(f"| {label} | {n} | {cov:.3f} | {sharp:.2f} | {e50:.3g} | {e90:.3g} | {b50:.3g} |")


def class_groups(sets, samples, bound, err, starlink_separate=True):
    cls = np.array([e.orbit_class for e in sets])
    star = np.array([is_starlink(e) for e in sets])
    groups = []
    for c in CLASSES:
        m = (cls == c) & ~star
        groups.append((c, (err[m], bound[m])))
    if starlink_separate:
        for c in ("LEO", "SSO"):
            m = (cls == c) & star
            groups.append((f"{c} Starlink (out of scope)", (err[m], bound[m])))
    m = ~star
    groups.append(("all but Starlink", (err[m], bound[m])))
    groups.append(("all", (err, bound)))
    return groups


def scale_position(age, feat, err_km, coefficients, target=TRAIN_COVERAGE):
    """Per class, the POSITION_SCALE that covers ``target`` of the training position errors."""
    scales = {}
    for c in CLASSES:
        m = feat["orbit_class"] == c
        sub = {k: v[m] for k, v in feat.items()}
        lo, hi = 0.05, 50.0
        for _ in range(60):
            mid = np.sqrt(lo * hi)
            bound = unc.position_bound_km(age[m], sub, coefficients, {c: mid})
            lo, hi = (mid, hi) if np.mean(err_km[m] <= bound) < target else (lo, mid)
        scales[c] = float(f"{hi:.4g}")
    return scales


def fit(samples, feat, train):
    """Timing coefficients and position scales from the samples ``train`` (a mask)."""
    coefficients = {}
    cls = feat["orbit_class"]
    for c in CLASSES:
        m = train & (cls == c)
        sub = {k: v[m] for k, v in feat.items()}
        start = dict(FIT_START)
        coef, loss = fit_class(
            samples["age_days"][m],
            sub,
            samples["timing_s"][m],
            unc.FLOOR_S[c],
            start,
            list(unc.FREE_COEFFICIENTS),
        )
        coef = scale_to_coverage(samples["age_days"][m], sub, samples["timing_s"][m], coef, unc.FLOOR_S[c])
        # 4 significant digits (as printed for the module); negligible terms are dropped.
        coefficients[c] = {k: float(f"{v:.4g}") if v > 1e-6 else 0.0 for k, v in coef.items()}
        print(
            f"{c}: {m.sum()} training samples ({len(set(samples['norad_id'][m].tolist()))} satellites), "
            f"log pinball loss {loss:.4f}"
        )
    sub = {k: v[train] for k, v in feat.items()}
    scales = scale_position(samples["age_days"][train], sub, samples["position_km"][train], coefficients)
    return coefficients, scales


def pass_check(pairs, count, start=None, days=1.0, seed=1):
    """Pass times over Islamabad from the older and newer elements of ``count`` held-out LEO/SSO
    satellites (not Starlink) and ``count // 4`` Starlink; returns per-pass rows."""
    from datetime import datetime

    from orbits import passes, sites

    start = start or datetime.fromisoformat("2026-04-10T00:00:00+00:00")
    rng = np.random.default_rng(seed)
    pool = [
        (a, b)
        for a, b in pairs
        if is_held_out(b.norad_id)
        and b.orbit_class in ("LEO", "SSO")
        and 1.0 <= (b.epoch - a.epoch).total_seconds() / 86400
        and abs(b.age_days(start)) < 2
    ]
    plain = [p for p in pool if not is_starlink(p[1])]
    star = [p for p in pool if is_starlink(p[1])]
    chosen = [plain[i] for i in sorted(rng.choice(len(plain), min(count, len(plain)), replace=False))]
    chosen += [star[i] for i in sorted(rng.choice(len(star), min(count // 4, len(star)), replace=False))]
    site = sites.site_named("islamabad")
    old = passes.predict_passes([a for a, _ in chosen], site, start, days=days)
    new = passes.predict_passes([b for _, b in chosen], site, start, days=days)
    rows = []
    po, pn = old.table.passes, new.table.passes
    for k, (a, b) in enumerate(chosen):
        mo = np.flatnonzero((po["sat"] == k) & ~po["starts_before"] & ~po["ends_after"])
        mn = np.flatnonzero((pn["sat"] == k) & ~pn["starts_before"] & ~pn["ends_after"])
        for j in mn.tolist():
            rise_new = pn["rise_s"][j]
            age = (rise_new - a.epoch.timestamp()) / 86400.0
            bound = unc.time_uncertainty_s(a, age)
            if not len(mo):
                rows.append(
                    (
                        b.norad_id,
                        is_starlink(b),
                        b.orbit_class,
                        age,
                        np.nan,
                        np.nan,
                        bound,
                        pn["culmination_el"][j],
                    )
                )
                continue
            i = mo[np.argmin(np.abs(po["rise_s"][mo] - rise_new))]
            d_rise, d_set = po["rise_s"][i] - rise_new, po["set_s"][i] - pn["set_s"][j]
            if abs(d_rise) > 0.5 * a.period_min * 60.0:  # no counterpart within half a revolution
                d_rise = d_set = np.nan
            rows.append(
                (
                    b.norad_id,
                    is_starlink(b),
                    b.orbit_class,
                    age,
                    d_rise,
                    d_set,
                    bound,
                    pn["culmination_el"][j],
                )
            )
    return rows, len(chosen)


def print_pass_table(rows):
    star = np.array([r[1] for r in rows])
    cls = np.array([r[2] for r in rows])
    d_rise = np.array([r[4] for r in rows])
    d_set = np.array([r[5] for r in rows])
    bound = np.array([r[6] for r in rows])
    el = np.array([r[7] for r in rows])
    print(
        "\nHeld-out pass times over Islamabad (1 day from 2026-04-10 00:00 UTC): older elements against newer"
    )
    print(
        "| group | passes | unmatched | rise coverage | set coverage | coverage, unmatched as misses | "
        "sharpness (rise) | median abs(d rise) s | median bound s |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    groups = [(c, ~star & (cls == c)) for c in ("LEO", "SSO")]
    groups += [
        ("LEO/SSO, culmination >= 10 deg", ~star & (el >= 10)),
        ("LEO/SSO, culmination < 10 deg", ~star & (el < 10)),
        ("Starlink (out of scope)", star),
    ]
    for label, m in groups:
        if not m.any():
            continue
        ok = m & np.isfinite(d_rise)
        cov_r = np.mean(np.abs(d_rise[ok]) <= bound[ok])
        cov_s = np.mean(np.abs(d_set[ok]) <= bound[ok])
        sharp = np.median(bound[ok]) / max(np.median(np.abs(d_rise[ok])), 1e-9)
        both = (np.abs(d_rise[m]) <= bound[m]) & (np.abs(d_set[m]) <= bound[m])  # NaN: a miss
        print(
            f"| {label} | {m.sum()} | {(m & ~ok).sum()} | {cov_r:.3f} | {cov_s:.3f} | {both.mean():.3f} | "
            f"{sharp:.2f} | "
            f"{np.median(np.abs(d_rise[ok])):.3g} | {np.median(bound[ok]):.3g} |"
        )


def held_out_tables(samples, feat, sets, held, coefficients, scales):
    bound = unc.time_bound_s(samples["age_days"], feat, coefficients)
    hsets = [s for s, k in zip(sets, held) if k]
    print_table(
        "Held-out along-track timing error against the stated 90% bound (s)",
        class_groups(hsets, None, bound[held], samples["timing_s"][held]),
        "s",
    )
    pos = unc.position_bound_km(samples["age_days"], feat, coefficients, scales)
    print_table(
        "Held-out position error against the stated 90% bound (km)",
        class_groups(hsets, None, pos[held], samples["position_km"][held]),
        "km",
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(DATA_DIR))
    parser.add_argument("--check", action="store_true", help="evaluate the module's constants only")
    parser.add_argument("--passes", type=int, default=0, help="pass-time check on this many held-out sats")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    pairs = load_pairs(args.data)
    samples = error_samples(pairs)
    sets = sample_sets(pairs, samples)
    feat = features(sets)
    print(
        f"{len(pairs)} satellites in both catalogues, {len(samples['pairs_used'])} usable, "
        f"{len(samples['age_days'])} samples ({time.perf_counter() - t0:.1f} s)"
    )
    held = np.array([is_held_out(n) for n in samples["norad_id"]])
    star = np.array([is_starlink(e) for e in sets])
    print(
        f"held out: {len(set(samples['norad_id'][held].tolist()))} satellites; training: "
        f"{len(set(samples['norad_id'][~held].tolist()))} (Starlink left out of the fit)"
    )
    coefficients, scales = unc.TIME_COEFFICIENTS, unc.POSITION_SCALE
    if not args.check:
        coefficients, scales = fit(samples, feat, ~held & ~star)
        print("\nTIME_COEFFICIENTS = {")
        for c in CLASSES:
            print(f"    {c!r}: {{" + ", ".join(f"{k!r}: {v:.4g}" for k, v in coefficients[c].items()) + "},")
        print("}")
        print("POSITION_SCALE = {" + ", ".join(f"{c!r}: {scales[c]:.4g}" for c in CLASSES) + "}")
    held_out_tables(samples, feat, sets, held, coefficients, scales)
    if args.passes:
        t1 = time.perf_counter()
        rows, n = pass_check(pairs, args.passes)
        print(f"\n{n} satellites, {len(rows)} passes ({time.perf_counter() - t1:.1f} s)")
        print_pass_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
