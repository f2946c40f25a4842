{#- The sales-touch test: the account has a touch at an instant x with
    instant - look-back <= x <= instant (both ends included; later touches don't count).
    `touches` is a relation with account_id and touched_at. -#}
{% macro is_sales_touched(account_id, instant, touches) -%}
    {{ return(adapter.dispatch('is_sales_touched', 'plg_kpis')(account_id, instant, touches)) }}
{%- endmacro %}

{% macro default__is_sales_touched(account_id, instant, touches) -%}
    exists (
        select 1
        from {{ touches }} as sales_touch
        where sales_touch.account_id = {{ account_id }}
            and sales_touch.touched_at <= {{ instant }}
            and sales_touch.touched_at >= {{ plg_kpis.add_days(instant, -1 * plg_kpis.days_var('sales_touch_lookback_days')) }}
    )
{%- endmacro %}

{#- Spark's optimizer loses a column ("key not found") on a correlated EXISTS in a select list
    over rows of literals, as dbt unit tests build their fixtures; a correlated count does not
    (with the rule profiles.yml leaves out, CombineUnions). -#}
{% macro spark__is_sales_touched(account_id, instant, touches) -%}
    (
        select count(*)
        from {{ touches }} as sales_touch
        where sales_touch.account_id = {{ account_id }}
            and sales_touch.touched_at <= {{ instant }}
            and sales_touch.touched_at >= {{ plg_kpis.add_days(instant, -1 * plg_kpis.days_var('sales_touch_lookback_days')) }}
    ) > 0
{%- endmacro %}
