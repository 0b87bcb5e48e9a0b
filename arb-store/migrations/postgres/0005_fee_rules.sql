-- A market's fee schedule is stored as venue-neutral data: the rule takers and makers each pay by
-- (coefficient × (p × (1 − p))^exponent per contract, each fill rounded up to `fill_quantum`,
-- the order's debit up to `cash_quantum`) and an optional waiver. Schedules stored before this
-- migration named their venue (`kind`); each is rewritten as the rules its venue's schedule
-- charged by, so every market prices exactly as before.
UPDATE events SET fees = jsonb_build_object(
    'taker', jsonb_build_object('coefficient', fees -> 'taker_rate', 'exponent', '1'::text,
                                'fill_quantum', '0.0001'::text, 'cash_quantum', '0.01'::text),
    'maker', jsonb_build_object('coefficient', fees -> 'maker_rate', 'exponent', '1'::text,
                                'fill_quantum', '0.0001'::text, 'cash_quantum', '0.01'::text),
    'waived_until', COALESCE(fees -> 'waived_until', 'null'::jsonb))
WHERE fees ->> 'kind' = 'kalshi';

UPDATE events SET fees = jsonb_build_object(
    'taker', jsonb_build_object('coefficient', fees -> 'rate', 'exponent', fees -> 'exponent',
                                'fill_quantum', '0.00001'::text, 'cash_quantum', 'null'::jsonb),
    'maker', jsonb_build_object('coefficient',
                                CASE WHEN (fees ->> 'taker_only')::boolean THEN to_jsonb('0'::text)
                                     ELSE fees -> 'rate' END,
                                'exponent', fees -> 'exponent',
                                'fill_quantum', '0.00001'::text, 'cash_quantum', 'null'::jsonb),
    'waived_until', 'null'::jsonb)
WHERE fees ->> 'kind' = 'polymarket';

UPDATE events SET fees = jsonb_build_object(
    'taker', jsonb_build_object('coefficient', '0'::text, 'exponent', '1'::text,
                                'fill_quantum', '0'::text, 'cash_quantum', 'null'::jsonb),
    'maker', jsonb_build_object('coefficient', '0'::text, 'exponent', '1'::text,
                                'fill_quantum', '0'::text, 'cash_quantum', 'null'::jsonb),
    'waived_until', 'null'::jsonb)
WHERE fees ->> 'kind' = 'free';
