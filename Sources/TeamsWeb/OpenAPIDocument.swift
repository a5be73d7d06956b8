/// The OpenAPI 3.1 description of the JSON endpoints, served at `/api/openapi.json`.
enum OpenAPIDocument {
    static let figureProperties = """
        "callsHandled":{"type":"integer","minimum":0},"talkSeconds":{"type":"number","minimum":0},
        "holdSeconds":{"type":"number","minimum":0},"holdCount":{"type":"integer","minimum":0},
        "longestHoldSeconds":{"type":"number","minimum":0},"wrapupSeconds":{"type":"number","minimum":0},
        "multiCallSeconds":{"type":"number","minimum":0},"maxConcurrentCalls":{"type":"integer","minimum":0},
        "transfersIn":{"type":"integer","minimum":0},"transfersOut":{"type":"integer","minimum":0},
        "misroutes":{"type":"integer","minimum":0},"wrongCallRiskIncidents":{"type":"integer","minimum":0},
        "exposureSeconds":{"type":"number","minimum":0},"offersMissed":{"type":"integer","minimum":0},
        "activitySeconds":{"type":"object","additionalProperties":{"type":"number","minimum":0}}
        """
    static let figureNames = """
        "callsHandled","talkSeconds","holdSeconds","holdCount","longestHoldSeconds","wrapupSeconds","multiCallSeconds",
        "maxConcurrentCalls","transfersIn","transfersOut","misroutes","wrongCallRiskIncidents","exposureSeconds",
        "offersMissed","activitySeconds"
        """
    static let dateParameters = """
        {"name":"from","in":"query","description":"First local date, YYYY-MM-DD (default today)","schema":{"type":"string","format":"date"}},
        {"name":"to","in":"query","description":"Last local date, inclusive, YYYY-MM-DD (default from)","schema":{"type":"string","format":"date"}}
        """
    static let error = """
        {"description":"Bad parameters","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Error"}}}}
        """

    static let refusal = """
        "content":{"application/json":{"schema":{"$ref":"#/components/schemas/Error"}}}
        """
    static let ingestResult = """
        "headers":{"Teamsview-Rejected":{"description":"How many lines were rejected (the body's rejected)",
          "schema":{"type":"integer","minimum":0}}},
        "content":{"application/json":{"schema":{"$ref":"#/components/schemas/IngestResult"}}}
        """

    static let json = """
        {"openapi":"3.1.0",
        "info":{"title":"teamsview","version":"1","description":"Live floor, reports and incidents of a contact centre."},
        "paths":{
        "/api/report":{"get":{"summary":"Interval statistics per agent, team or queue","parameters":[\(dateParameters),
          {"name":"by","in":"query","schema":{"type":"string","enum":["agent","team","queue"]}},
          {"name":"interval","in":"query","description":"1 adds the 15-minute intervals of each row","schema":{"type":"string","enum":["0","1"]}}],
          "responses":{"200":{"description":"The report","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Report"}}}},
          "400":\(error)}}},
        "/api/incidents":{"get":{"summary":"Misroute and wrong-call-risk incidents that started in the range","parameters":[\(dateParameters),
          {"name":"worker","in":"query","schema":{"type":"string"}},
          {"name":"kind","in":"query","schema":{"type":"string","enum":["misroute","wrong-call-risk"]}},
          {"name":"state","in":"query","schema":{"type":"string","enum":["all","unacknowledged","acknowledged"]}},
          {"name":"team","in":"query","description":"only incidents of agents of these teams (repeatable)","style":"form","explode":true,
            "schema":{"type":"array","items":{"type":"string"}}}],
          "responses":{"200":{"description":"Incidents, newest first","content":{"application/json":{"schema":{"type":"object",
            "required":["incidents"],"properties":{"incidents":{"type":"array","items":{"$ref":"#/components/schemas/Incident"}}}}}}},
          "400":\(error)}}},
        "/ingest":{"post":{"summary":"Events from a producer, taken line by line",
          "description":"NDJSON lines, one JSON event or an array of them, or one Twilio callback form. With a token configured, send Authorization: Bearer TOKEN (or ?token=TOKEN); without one, only clients on the server's machine may post.",
          "requestBody":{"required":true,"content":{
            "application/x-ndjson":{"schema":{"type":"string"}},
            "application/json":{"schema":{"oneOf":[{"type":"object"},{"type":"array","items":{"type":"object"}}]}},
            "text/plain":{"schema":{"type":"string"}},
            "application/x-www-form-urlencoded":{"schema":{"type":"object","additionalProperties":{"type":"string"}}}}},
          "responses":{
            "200":{"description":"At least one line was accepted; the others, if any, are listed in errors and counted in rejected and Teamsview-Rejected",\(ingestResult)},
            "422":{"description":"Every line of the body was rejected: nothing was taken",\(ingestResult)},
            "400":{"description":"The body held no event line (or the token was given twice)",
              "content":{"application/json":{"schema":{"anyOf":[{"$ref":"#/components/schemas/IngestResult"},{"$ref":"#/components/schemas/Error"}]}}}},
            "401":{"description":"A token is configured and none was sent",\(refusal)},
            "403":{"description":"A wrong token, a client beyond loopback without one, a browser origin not allowed, a Twilio signature that does not match",\(refusal)},
            "413":{"description":"Body larger than --max-body-bytes",\(refusal)},
            "415":{"description":"A content type the endpoint does not read",\(refusal)},
            "503":{"description":"The floor is being restored, or the events cannot be kept on disk: send again after Retry-After",\(refusal)}}}},
        "/api/openapi.json":{"get":{"summary":"This document","responses":{"200":{"description":"OpenAPI 3.1",
          "content":{"application/json":{"schema":{"type":"object"}}}}}}}
        },
        "components":{"schemas":{
        "Error":{"type":"object","required":["error"],"properties":{"error":{"type":"string"}}},
        "IngestResult":{"type":"object","required":["accepted","rejected","events","errors"],"properties":{
          "accepted":{"type":"integer","minimum":0},"rejected":{"type":"integer","minimum":0},"events":{"type":"integer","minimum":0},
          "errors":{"type":"array","maxItems":100,"items":{"type":"object","required":["index","line","reason"],"properties":{
            "index":{"type":"integer","minimum":0},"line":{"type":"integer","minimum":1},"reason":{"type":"string"}}}},
          "errorsNotListed":{"type":"integer","minimum":1},
          "error":{"type":"string","description":"Only when the body held no event line"}}},
        "Figures":{"type":"object","required":[\(figureNames)],"properties":{\(figureProperties)}},
        "Interval":{"type":"object","required":["start",\(figureNames)],"properties":{"start":{"type":"string","format":"date-time"},\(figureProperties)}},
        "Row":{"type":"object","required":["key","name",\(figureNames)],"properties":{"key":{"type":"string"},"name":{"type":"string"},
          \(figureProperties),"intervals":{"type":"array","items":{"$ref":"#/components/schemas/Interval"}}}},
        "Report":{"type":"object","required":["from","to","timeZone","rows","totals"],"properties":{
          "from":{"type":"string","format":"date"},"to":{"type":"string","format":"date"},"timeZone":{"type":"string"},
          "rows":{"type":"array","items":{"$ref":"#/components/schemas/Row"}},"totals":{"$ref":"#/components/schemas/Figures"}}},
        "Incident":{"type":"object","required":["id","worker","workerName","kind","start","end","calls","queue","via",
          "exposureSeconds","acknowledgedBy","acknowledgedAt","note"],"properties":{
          "id":{"type":"string"},"worker":{"type":"string"},"workerName":{"type":"string"},
          "kind":{"type":"string","enum":["misroute","wrong-call-risk"]},
          "start":{"type":"string","format":"date-time"},"end":{"type":["string","null"],"format":"date-time"},
          "calls":{"type":"array","items":{"type":"string"}},"queue":{"type":["string","null"]},"via":{"type":["string","null"]},
          "exposureSeconds":{"type":"number","minimum":0},"acknowledgedBy":{"type":["string","null"]},
          "acknowledgedAt":{"type":["string","null"],"format":"date-time"},"note":{"type":["string","null"]}}}
        }}}
        """
}
