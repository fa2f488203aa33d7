-- Orders must never have a negative total payment amount.
select order_id, amount
from {{ ref('orders') }}
where amount < 0
