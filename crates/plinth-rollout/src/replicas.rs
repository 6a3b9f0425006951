//! Pod arithmetic of an update: surge and unavailability bounds, the pods each version runs at a
//! canary weight, and the waves of a rolling update. Integer maths only, so every rule is exact.

use plinth_spec::model::IntOrPercent;

/// `maxSurge` in pods: a count as is, a percentage of `replicas` rounded **up** (Kubernetes and
/// Argo resolve surge this way). The percentage is taken in whole percent, as it is rendered.
pub fn surge(value: IntOrPercent, replicas: u32) -> u32 {
    match value {
        IntOrPercent::Int(n) => n,
        IntOrPercent::Percent(p) => {
            u32::try_from((u64::from(replicas) * u64::from(p.whole())).div_ceil(100)).unwrap_or(u32::MAX)
        }
    }
}

/// `maxUnavailable` in pods: a count as is, a percentage of `replicas` rounded **down**.
pub fn unavailable(value: IntOrPercent, replicas: u32) -> u32 {
    match value {
        IntOrPercent::Int(n) => n,
        IntOrPercent::Percent(p) => u32::try_from(u64::from(replicas) * u64::from(p.whole()) / 100).unwrap_or(u32::MAX),
    }
}

/// `(maxSurge, maxUnavailable)` in pods, as Kubernetes' and Argo's `resolveFenceposts`: when both
/// resolve to 0 (a percentage rounded down), one pod may be unavailable so the update can move;
/// unavailability never exceeds `replicas`.
pub fn fenceposts(max_surge: IntOrPercent, max_unavailable: IntOrPercent, replicas: u32) -> (u32, u32) {
    let surge = surge(max_surge, replicas);
    let mut unavailable = unavailable(max_unavailable, replicas);
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    (surge, unavailable.min(replicas))
}

/// Basic canary (no traffic routing), total kept at `replicas`: `(canary, stable)` pods whose
/// ratio is closest to `weight` %. Same as [`canary_replicas_with_surge`] with a surge of 0.
///
/// The rule (Argo's `approximateWeightedCanaryStableReplicaCounts`, documented as "the whole
/// number with the smallest delta, rounding up if there is an equal delta"): the canary count is
/// `floor` or `ceil` of `replicas × weight / 100`, whichever gives the share nearer to `weight`;
/// on a tie the larger. Between 1 % and 99 % with 2 or more replicas neither version drops to 0
/// pods. 10 replicas at 41 % → 4 canary, 6 stable; 3 at 50 % → 2 and 1; 1 replica at 50 % → 1
/// and 0, at 20 % → 0 and 1.
pub fn canary_replicas(replicas: u32, weight: u32) -> (u32, u32) {
    canary_replicas_with_surge(replicas, weight, 0)
}

/// Basic canary (no traffic routing): `(canary, stable)` pods for `weight` %, exactly as Argo
/// settles them. With `max_surge` above 0 Argo may also run `replicas + 1` pods in total when
/// that share is strictly closer to `weight` (then 1 replica at 5 % runs 1 canary and 1 stable);
/// otherwise the total is `replicas`. See [`canary_replicas`] for the rounding rule.
pub fn canary_replicas_with_surge(replicas: u32, weight: u32, max_surge: u32) -> (u32, u32) {
    if replicas == 0 {
        return (0, 0);
    }
    let weight = u64::from(weight.min(100));
    let spec = u64::from(replicas);
    let ceil = (spec * weight).div_ceil(100);
    let floor = spec * weight / 100;
    let tied = |total: u64| total * weight % 100 == 50;
    let zero_allowed = weight == 100 || weight == 0 || (spec == 1 && max_surge == 0);
    let mut options: Vec<(u64, u64)> = Vec::new();
    if ceil < spec || zero_allowed {
        options.push((ceil, spec));
    }
    if !tied(spec) && (floor != 0 || zero_allowed) {
        options.push((floor, spec));
    }
    if max_surge > 0 {
        options.push((ceil, spec + 1));
        if !tied(spec + 1) && (floor != 0 || zero_allowed) {
            options.push((floor, spec + 1));
        }
    }
    // |100·canary/total − weight| compared exactly: a/b < c/d ⇔ a·d < c·b.
    let delta = |(canary, total): (u64, u64)| (canary * 100).abs_diff(weight * total);
    let mut best = match options.first() {
        Some(first) => *first,
        None => return (0, replicas),
    };
    for option in options.into_iter().skip(1) {
        if delta(option) * best.1 < delta(best) * option.1 {
            best = option;
        }
    }
    let to_u32 = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    (to_u32(best.0), to_u32(best.1 - best.0))
}

/// Canary with traffic routing: `(canary, stable)` pods for `weight` %. The router sets the weight
/// exactly; the canary runs `ceil(replicas × weight / 100)` pods (Argo's default canary scaling)
/// and the stable version stays fully scaled until the promotion.
pub fn routed_canary_replicas(replicas: u32, weight: u32) -> (u32, u32) {
    let canary = (u64::from(replicas) * u64::from(weight.min(100))).div_ceil(100);
    (u32::try_from(canary).unwrap_or(u32::MAX), replicas)
}

/// The waves of a rolling update: `ceil(replicas / (surge + unavailable))`, each replacing up to
/// `surge + unavailable` pods (bounds already resolved, see [`fenceposts`]). 0 replicas, 0 waves.
pub fn rolling_waves(replicas: u32, surge: u32, unavailable: u32) -> u32 {
    let batch = surge.saturating_add(unavailable).max(1);
    replicas.div_ceil(batch)
}

#[cfg(test)]
mod tests {
    use plinth_spec::units::Percent;

    use super::*;

    #[test]
    fn the_research_example_41_percent_of_10() {
        assert_eq!(canary_replicas(10, 41), (4, 6));
        assert_eq!(canary_replicas(10, 10), (1, 9));
    }

    #[test]
    fn zero_and_full_weight() {
        assert_eq!(canary_replicas(5, 0), (0, 5));
        assert_eq!(canary_replicas(5, 100), (5, 0));
        assert_eq!(canary_replicas_with_surge(5, 0, 2), (0, 5));
        assert_eq!(canary_replicas_with_surge(5, 100, 2), (5, 0));
    }

    #[test]
    fn ties_round_up() {
        assert_eq!(canary_replicas(3, 50), (2, 1));
        assert_eq!(canary_replicas(5, 50), (3, 2));
    }

    #[test]
    fn both_versions_keep_a_pod_between_1_and_99_percent() {
        assert_eq!(canary_replicas(10, 1), (1, 9));
        assert_eq!(canary_replicas(10, 99), (9, 1));
        assert_eq!(canary_replicas(2, 5), (1, 1));
    }

    #[test]
    fn one_replica() {
        assert_eq!(canary_replicas(1, 20), (0, 1));
        assert_eq!(canary_replicas(1, 50), (1, 0));
        assert_eq!(canary_replicas(1, 80), (1, 0));
        // With room to surge Argo runs both versions (its own examples: 1 replica at 5 % and 95 %).
        assert_eq!(canary_replicas_with_surge(1, 5, 1), (1, 1));
        assert_eq!(canary_replicas_with_surge(1, 95, 1), (1, 1));
    }

    #[test]
    fn surge_is_used_only_when_strictly_closer() {
        // 5 at 20 %: 1 of 5 is exact.
        assert_eq!(canary_replicas_with_surge(5, 20, 2), (1, 4));
        // 10 at 41 %: 4 of 10 (Δ1) beats 5 of 11 (Δ4.45) and 4 of 11 (Δ4.6).
        assert_eq!(canary_replicas_with_surge(10, 41, 3), (4, 6));
        // 3 at 25 %: 1 of 4 is exact, better than 1 of 3.
        assert_eq!(canary_replicas_with_surge(3, 25, 1), (1, 3));
    }

    #[test]
    fn traffic_routed_counts() {
        assert_eq!(routed_canary_replicas(5, 20), (1, 5));
        assert_eq!(routed_canary_replicas(5, 30), (2, 5));
        assert_eq!(routed_canary_replicas(3, 5), (1, 3));
        assert_eq!(routed_canary_replicas(5, 0), (0, 5));
    }

    #[test]
    fn surge_rounds_up_and_unavailable_down() {
        let quarter = IntOrPercent::Percent(Percent(2_500));
        assert_eq!(fenceposts(quarter, IntOrPercent::Int(0), 10), (3, 0));
        assert_eq!(fenceposts(quarter, quarter, 10), (3, 2));
        assert_eq!(fenceposts(IntOrPercent::Int(1), IntOrPercent::Int(0), 10), (1, 0));
        // Both resolve to 0: one pod may be unavailable.
        assert_eq!(fenceposts(IntOrPercent::Percent(Percent(0)), quarter, 3), (0, 1));
    }

    #[test]
    fn waves() {
        assert_eq!(rolling_waves(10, 3, 0), 4);
        assert_eq!(rolling_waves(10, 1, 0), 10);
        assert_eq!(rolling_waves(10, 1, 1), 5);
        assert_eq!(rolling_waves(0, 1, 0), 0);
    }
}
