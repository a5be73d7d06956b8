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
        "/api/openapi.json":{"get":{"summary":"This document","responses":{"200":{"description":"OpenAPI 3.1",
          "content":{"application/json":{"schema":{"type":"object"}}}}}}}
        },
        "components":{"schemas":{
        "Error":{"type":"object","required":["error"],"properties":{"error":{"type":"string"}}},
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
