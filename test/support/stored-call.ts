/** A captured call as a traceback stores it (normalised, with its UTC time): the tests' one example. */
export const STORED_CALL = {
  callingNumber: "+13055550123",
  callingNumberAsGiven: "+13055550123",
  calledNumber: "+12025550143" as const,
  callTime: "2024-06-03T12:00:00-04:00",
  callTimeUtc: "2024-06-03T16:00:00.000Z",
};
