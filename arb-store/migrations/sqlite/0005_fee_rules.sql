-- A market's fee schedule is stored as venue-neutral data: the rule takers and makers each pay by
-- (coefficient × (p × (1 − p))^exponent per contract, each fill rounded up to `fill_quantum`,
-- the order's debit up to `cash_quantum`) and an optional waiver. Schedules stored before this
-- migration named their venue (`kind`); each is rewritten as the rules its venue's schedule
-- charged by, so every market prices exactly as before.
UPDATE events SET fees = json_object(
    'taker', json_object('coefficient', json_extract(fees, '$.taker_rate'), 'exponent', '1',
                         'fill_quantum', '0.0001', 'cash_quantum', '0.01'),
    'maker', json_object('coefficient', json_extract(fees, '$.maker_rate'), 'exponent', '1',
                         'fill_quantum', '0.0001', 'cash_quantum', '0.01'),
    'waived_until', json_extract(fees, '$.waived_until'))
WHERE json_extract(fees, '$.kind') = 'kalshi';

UPDATE events SET fees = json_object(
    'taker', json_object('coefficient', json_extract(fees, '$.rate'),
                         'exponent', json_extract(fees, '$.exponent'),
                         'fill_quantum', '0.00001', 'cash_quantum', NULL),
    'maker', json_object('coefficient',
                         CASE WHEN json_extract(fees, '$.taker_only') THEN '0'
                              ELSE json_extract(fees, '$.rate') END,
                         'exponent', json_extract(fees, '$.exponent'),
                         'fill_quantum', '0.00001', 'cash_quantum', NULL),
    'waived_until', NULL)
WHERE json_extract(fees, '$.kind') = 'polymarket';

UPDATE events SET fees = json_object(
    'taker', json_object('coefficient', '0', 'exponent', '1', 'fill_quantum', '0',
                         'cash_quantum', NULL),
    'maker', json_object('coefficient', '0', 'exponent', '1', 'fill_quantum', '0',
                         'cash_quantum', NULL),
    'waived_until', NULL)
WHERE json_extract(fees, '$.kind') = 'free';
