-- Every org unit's resources in year $1: its own rows and those of the units below it.
-- A unit without any row in the year has none (it is not listed).
SELECT oc.ancestor_id, sum(staff), sum(service_halls), sum(repair_vehicles),
       sum(operating_cost), sum(network_km), sum(transformers)
FROM unit_resources r
JOIN org_closure oc ON oc.unit_id = r.unit_id
WHERE r.year = $1
GROUP BY 1
