window.YTD.account.part0 = [
  {
    "account" : {
      "email" : "marina.costa@example.org",
      "createdVia" : "android",
      "username" : "marina_xinguvivo",
      "accountId" : "1402938475610293847",
      "createdAt" : "2014-08-19T13:05:41.000Z",
      "accountDisplayName" : "Marina Costa 🌳"
    }
  }
]