/* golive call: the live runbook's script (placeholder; the call-ui branch writes it). See CALL_CONTRACT.md. */
