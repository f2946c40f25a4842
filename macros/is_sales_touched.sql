{#- The sales-touch test: the account has a touch at an instant x with
    instant - look-back <= x <= instant (both ends included; later touches don't count).
    `touches` is a relation with account_id and touched_at. -#}
{% macro is_sales_touched(account_id, instant, touches) -%}
    exists (
        select 1
        from {{ touches }} as sales_touch
        where sales_touch.account_id = {{ account_id }}
            and sales_touch.touched_at <= {{ instant }}
            and sales_touch.touched_at >= {{ dbt.dateadd('day', -1 * plg_kpis.days_var('sales_touch_lookback_days'), instant) }}
    )
{%- endmacro %}
