"""The IRIs the catalogue files own and the seed-document files only refer to."""

SHARED_AGREEMENTS = (
    "freedom-of-movement-2011",
    "civil-registry-2011",
    "university-diplomas-2011",
    "customs-stamps-2011",
    "cadastre-2011",
    "integrated-border-management-2011",
    "regional-cooperation-2012",
    "first-agreement-2013",
    "energy-2013",
    "telecommunications-2013",
    "justice-2015",
    "association-community-serb-municipalities-2015",
    "mitrovica-bridge-2015",
    "vehicle-licence-plates-2016",
    "path-to-normalisation-2023",
)
