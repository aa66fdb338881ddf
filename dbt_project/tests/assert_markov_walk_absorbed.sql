{#-
    docs/metrics.md rule 53: after the 1024 steps of int_attribution_markov_removal_effects,
    at most 1e-9 of the chain's probability may still be on a channel; otherwise the
    removal effects are not the absorption probabilities yet. Returns offending channels.
-#}

select
    channel,
    unabsorbed_probability
from {{ ref('int_attribution_markov_removal_effects') }}
where unabsorbed_probability > 0.000000001
