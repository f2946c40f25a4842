-- The eight contract marts computed directly by DuckDB from the raw files, with no dbt in
-- between: the engine's own limit for this work, which the benchmark compares `plg build`
-- with. It reads the same files (folder given as the variable `data_dir` by run.py, which
-- also substitutes the settings) and must give the same marts, cell for cell.
-- Written as plainly as the definitions allow, one statement per mart.

set TimeZone = 'UTC';

-- ISO 8601 allows a comma before the fractional seconds, which DuckDB's cast does not read.
create or replace macro utc(t) as timezone('UTC', coalesce(
    try_cast(cast(t as varchar) as timestamptz),
    try_cast(replace(cast(t as varchar), ',', '.') as timestamptz)));

create or replace table accounts as
select distinct nullif(account_id, '') as account_id from read_raw('accounts');

create or replace table users as
select distinct nullif(user_id, '') as user_id, nullif(account_id, '') as account_id from read_raw('users');

create or replace table plans as
select distinct
    nullif(plan_id, '') as plan_id,
    try_cast(tier_rank as bigint) as tier_rank,
    lower(trim(is_paid)) in ('true', 't', '1', 'yes', 'y') as is_paid
from read_raw('plans');

create or replace table events as
select distinct
    nullif(event_id, '') as event_id,
    nullif(user_id, '') as user_id,
    nullif(account_id, '') as account_id,
    event_name,
    utc(occurred_at) as occurred_at
from read_raw('product_events');

create or replace table changes as
select distinct
    nullif(change_id, '') as change_id,
    nullif(account_id, '') as account_id,
    nullif(initiated_by_user_id, '') as initiated_by_user_id,
    utc(changed_at) as changed_at,
    nullif(from_plan_id, '') as from_plan_id,
    nullif(to_plan_id, '') as to_plan_id,
    try_cast(mrr_before as decimal(18, 6)) as mrr_before,
    try_cast(mrr_after as decimal(18, 6)) as mrr_after,
    try_cast(seats_before as bigint) as seats_before,
    try_cast(seats_after as bigint) as seats_after,
    channel
from read_raw('subscription_changes');

create or replace table purchases as
select distinct
    nullif(purchase_id, '') as purchase_id,
    nullif(account_id, '') as account_id,
    utc(purchased_at) as purchased_at,
    nullif(upsell_type, '') as upsell_type,
    try_cast(amount as decimal(18, 6)) as amount,
    channel
from read_raw('upsell_purchases');

create or replace table touches as
select distinct nullif(account_id, '') as account_id, utc(touched_at) as touched_at
from read_raw('sales_touches');

-- Plan history: the plan each change sets, in force from just after it to its next change.
create or replace table spans as
select
    c.account_id, c.change_id, c.to_plan_id as plan_id, coalesce(p.is_paid, false) as is_paid,
    c.mrr_after as mrr, c.changed_at as valid_from,
    lead(c.changed_at) over (partition by c.account_id order by c.changed_at, c.change_id) as valid_to
from changes c left join plans p on c.to_plan_id = p.plan_id;

create or replace table changes_x as
select
    c.*,
    coalesce(fp.is_paid, false) as from_paid,
    coalesce(tp.is_paid, false) as to_paid,
    fp.tier_rank as from_tier,
    tp.tier_rank as to_tier,
    exists (select 1 from touches t where t.account_id = c.account_id
            and t.touched_at between c.changed_at - to_days(@lookback_days) and c.changed_at) as touched
from changes c
left join plans fp on c.from_plan_id = fp.plan_id
left join plans tp on c.to_plan_id = tp.plan_id;

-- 1. Self-serve upgrade rate.
create or replace table activations as
with first_activation as (
    select user_id, account_id, occurred_at,
           row_number() over (partition by user_id order by occurred_at, event_id) as n
    from events where event_name in @activation_events
)
select f.user_id, coalesce(u.account_id, f.account_id) as account_id, f.occurred_at as activated_at
from first_activation f left join users u on f.user_id = u.user_id
where f.n = 1;

create or replace table direct_fct_self_serve_upgrade_rate as
with judged as (
    select a.*,
        not exists (select 1 from spans s where s.account_id = a.account_id and s.is_paid
                    and s.valid_from < a.activated_at and (s.valid_to is null or a.activated_at <= s.valid_to)) as on_free,
        exists (select 1 from changes_x c where c.initiated_by_user_id = a.user_id
                and not c.from_paid and c.to_paid and c.channel = @change_channel and not c.touched
                and c.changed_at >= a.activated_at and c.changed_at <= a.activated_at + to_days(@window_days)) as upgraded
    from activations a
)
select cast(date_trunc('month', activated_at) as date) as activation_month,
       count(*) filter (where on_free) as activated_users,
       count(*) filter (where on_free and upgraded) as upgraded_users,
       100.0 * count(*) filter (where on_free and upgraded) / nullif(count(*) filter (where on_free), 0) as upgrade_rate_pct
from judged group by 1;

-- 2. Upgrade-intent signal rate.
create or replace table direct_fct_upgrade_intent_signal_rate as
with judged as (
    select e.user_id, e.event_name, cast(date_trunc('month', e.occurred_at) as date) as activity_month,
           s.account_id is null as on_free
    from events e
    left join spans s on s.account_id = e.account_id and s.is_paid
        and s.valid_from < e.occurred_at and (s.valid_to is null or e.occurred_at <= s.valid_to)
)
select activity_month,
       count(distinct user_id) filter (where on_free) as active_free_users,
       count(distinct user_id) filter (where on_free and event_name in @intent_events) as signaled_users,
       100.0 * count(distinct user_id) filter (where on_free and event_name in @intent_events)
           / nullif(count(distinct user_id) filter (where on_free), 0) as signal_rate_pct
from judged group by 1;

-- 3. Self-serve upsell revenue.
create or replace table direct_fct_self_serve_upsell_revenue as
select cast(date_trunc('month', p.purchased_at) as date) as revenue_month, p.upsell_type, sum(p.amount) as upsell_revenue
from purchases p
where p.channel = @purchase_channel
  and not coalesce(p.upsell_type in @team_types, false)
  and not exists (select 1 from touches t where t.account_id = p.account_id
                  and t.touched_at between p.purchased_at - to_days(@lookback_days) and p.purchased_at)
group by 1, 2;

-- 4. Plan upgrade rate, by month and quarter.
create or replace table periods as
with bounds as (select date_trunc('month', min(changed_at)) as first_month, date_trunc('month', max(changed_at)) as last_month from changes),
months as (select cast(unnest(generate_series(first_month, last_month, interval 1 month)) as date) as period_start from bounds)
select 'month' as period_grain, period_start, cast(period_start as timestamp) as starts_at,
       cast(period_start + interval 1 month as timestamp) as ends_at from months
union all
select distinct 'quarter', cast(date_trunc('quarter', period_start) as date),
       cast(date_trunc('quarter', period_start) as timestamp),
       cast(date_trunc('quarter', period_start) + interval 3 month as timestamp) from months;

create or replace table direct_fct_plan_upgrade_rate as
with subscribers as (
    select p.period_grain, p.period_start, p.starts_at, p.ends_at, s.account_id, s.plan_id as from_plan_id
    from periods p join spans s on s.is_paid and s.valid_from < p.starts_at and (s.valid_to is null or p.starts_at <= s.valid_to)
)
select period_grain, period_start, from_plan_id, count(*) as subscribers_at_start,
       count(*) filter (where exists (select 1 from changes_x c where c.account_id = subscribers.account_id
           and c.from_paid and c.to_paid and c.to_tier > c.from_tier
           and c.changed_at >= subscribers.starts_at and c.changed_at < subscribers.ends_at)) as upgraded_subscribers,
       100.0 * upgraded_subscribers / nullif(subscribers_at_start, 0) as upgrade_rate_pct
from subscribers group by 1, 2, 3;

-- 5. Self-serve expansion revenue.
create or replace table direct_fct_self_serve_expansion_revenue as
select cast(date_trunc('month', changed_at) as date) as revenue_month,
       case when to_tier > from_tier then 'tier_upgrade'
            when to_plan_id = from_plan_id and seats_after > seats_before then 'seat_expansion'
            else 'other_expansion' end as expansion_type,
       sum(mrr_after - mrr_before) as expansion_revenue
from changes_x
where from_paid and mrr_after > mrr_before and channel = @change_channel and not touched
group by 1, 2;

-- 6-8. The MRR tree.
create or replace table account_months as
with month_ends as (
    select a.account_id, p.period_start as revenue_month,
           coalesce(case when s.is_paid then coalesce(s.mrr, 0) end, 0) as cur
    from (select distinct account_id from spans) a
    cross join (select * from periods where period_grain = 'month') p
    left join spans s on s.account_id = a.account_id and s.valid_from < p.ends_at and (s.valid_to is null or p.ends_at <= s.valid_to)
)
select *,
       coalesce(lag(cur) over w, 0) as prev,
       coalesce(max(cur) over (w rows between unbounded preceding and 1 preceding), 0) > 0 as paid_before
from month_ends
window w as (partition by account_id order by revenue_month);

create or replace table direct_fct_mrr_movements as
select revenue_month,
       sum(prev) as starting_mrr,
       sum(case when prev = 0 and cur > 0 and not paid_before then cur else 0 end) as new_mrr,
       sum(case when prev > 0 and cur > prev then cur - prev else 0 end) as expansion_mrr,
       sum(case when cur > 0 and cur < prev then prev - cur else 0 end) as contraction_mrr,
       sum(case when prev > 0 and cur = 0 then prev else 0 end) as churned_mrr,
       sum(case when prev = 0 and cur > 0 and paid_before then cur else 0 end) as reactivation_mrr,
       sum(cur) as ending_mrr
from account_months group by 1;

create or replace table direct_fct_net_revenue_retention as
select revenue_month,
       100.0 * sum(case when prev > 0 then cur else 0 end) / nullif(sum(prev), 0) as nrr_pct,
       100.0 * sum(case when prev > 0 then least(cur, prev) else 0 end) / nullif(sum(prev), 0) as grr_pct
from account_months group by 1;

create or replace table direct_fct_arpa as
select revenue_month, sum(cur) as ending_mrr, count(*) filter (where cur > 0) as paying_accounts,
       sum(cur) / nullif(count(*) filter (where cur > 0), 0) as arpa
from account_months group by 1;
