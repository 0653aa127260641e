/** The bench's all-in cost: each input times its price, API requests at the HTTP API's price the stack deploys. */
import { describe, expect, it } from "vitest";
import { allInCost, PRICES } from "./cost.js";

const NONE = { writeUnits: 0, readUnits: 0, sqsRequests: 0, apiRequests: 0, lambdaInvocations: 0, lambdaGbSeconds: 0 };

describe("all-in cost per million hops", () => {
  it("prices API requests as an HTTP API's, $1.00 per million, not a REST API's $3.50", () => {
    expect(PRICES.httpApiRequest).toBe(1);
    expect(allInCost({ ...NONE, apiRequests: 2.2 }).apiGateway).toBeCloseTo(2.2, 10);
  });

  it("adds DynamoDB, SQS, Lambda and API Gateway, each from its own inputs", () => {
    const cost = allInCost({ writeUnits: 8, readUnits: 4, sqsRequests: 3, apiRequests: 2, lambdaInvocations: 3, lambdaGbSeconds: 0.05 });
    expect(cost.dynamo).toBeCloseTo(8 * PRICES.dynamoWriteUnit + 4 * PRICES.dynamoReadUnit, 10);
    expect(cost.sqs).toBeCloseTo(3 * PRICES.sqsRequest, 10);
    expect(cost.lambda).toBeCloseTo(0.05 * PRICES.lambdaGbSecond + 3 * PRICES.lambdaRequest, 10);
    expect(cost.apiGateway).toBeCloseTo(2 * PRICES.httpApiRequest, 10);
    expect(cost.total).toBeCloseTo(cost.dynamo + cost.sqs + cost.lambda + cost.apiGateway, 10);
  });
});
