/**
 * The all-in cost of one million answered hops on AWS, from what the bench measured per hop.
 * Prices are us-east-1 list prices, each with the page it comes from; the measured inputs are
 * printed beside the result so the figure can be checked by hand.
 */
/** USD per million units. */
export const PRICES = {
  /** https://aws.amazon.com/dynamodb/pricing/on-demand/ (on-demand, since the Nov 2024 reduction) */
  dynamoWriteUnit: 0.625,
  dynamoReadUnit: 0.125,
  /** https://aws.amazon.com/sqs/pricing/ (standard queue, per request of up to 64 KB) */
  sqsRequest: 0.4,
  /** https://aws.amazon.com/lambda/pricing/ (arm64: $0.0000133334 per GB-second, i.e. $13.3334 per million; $0.20 per million requests) */
  lambdaGbSecond: 13.3334,
  lambdaRequest: 0.2,
  /**
   * https://aws.amazon.com/api-gateway/pricing/ (HTTP API, the one the stack deploys: first 300
   * million a month, metered in 512 KB steps, which no hop request or answer reaches; a REST API
   * would be $3.50)
   */
  httpApiRequest: 1.0,
  restApiRequest: 3.5,
} as const;

/** Per answered hop, as measured. */
export interface CostInputs {
  writeUnits: number;
  readUnits: number;
  sqsRequests: number;
  apiRequests: number;
  /** Lambda invocations and GB-seconds: API requests, delivery batches. */
  lambdaInvocations: number;
  lambdaGbSeconds: number;
}

export interface Cost {
  dynamo: number;
  sqs: number;
  lambda: number;
  apiGateway: number;
  total: number;
}

/** USD per million answered hops; prices are per million units, so a per-hop count times the price is the cost per million hops. */
export function allInCost(x: CostInputs): Cost {
  const dynamo = x.writeUnits * PRICES.dynamoWriteUnit + x.readUnits * PRICES.dynamoReadUnit;
  const sqs = x.sqsRequests * PRICES.sqsRequest;
  const lambda = x.lambdaGbSeconds * PRICES.lambdaGbSecond + x.lambdaInvocations * PRICES.lambdaRequest;
  const apiGateway = x.apiRequests * PRICES.httpApiRequest;
  return { dynamo, sqs, lambda, apiGateway, total: dynamo + sqs + lambda + apiGateway };
}
