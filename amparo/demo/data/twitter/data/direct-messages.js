window.YTD.direct_messages.part0 = [
  {
    "dmConversation" : {
      "conversationId" : "1402938475610293847-1745001122334455667",
      "messages" : [
        {
          "messageCreate" : {
            "reactions" : [],
            "urls" : [],
            "text" : "Luana Costa, Escola Estadual Rio Tapajós. Turma da tarde. Você tem até o fim do mês.",
            "mediaUrls" : [],
            "senderId" : "1745001122334455667",
            "id" : "2030823430331587884",
            "recipientId" : "1402938475610293847",
            "createdAt" : "2026-03-09T01:50:11.483Z",
            "editHistory" : []
          }
        },
        {
          "messageCreate" : {
            "reactions" : [],
            "urls" : [],
            "text" : "Vamos te achar, ladra de terras. Sabemos onde sua filha estuda.",
            "mediaUrls" : [],
            "senderId" : "1745001122334455667",
            "id" : "2030823260434359938",
            "recipientId" : "1402938475610293847",
            "createdAt" : "2026-03-09T01:49:30.237Z",
            "editHistory" : []
          }
        },
        {
          "messageCreate" : {
            "reactions" : [],
            "urls" : [],
            "text" : "Vamos te achar. Não adianta trocar de casa.",
            "mediaUrls" : [],
            "senderId" : "1745001122334455667",
            "id" : "2029409605868595310",
            "recipientId" : "1402938475610293847",
            "createdAt" : "2026-03-05T04:12:09.862Z",
            "editHistory" : []
          }
        },
        {
          "messageCreate" : {
            "reactions" : [],
            "urls" : [],
            "text" : "Some do Pará enquanto dá tempo.",
            "mediaUrls" : [],
            "senderId" : "1745001122334455667",
            "id" : "2029315113166320770",
            "recipientId" : "1402938475610293847",
            "createdAt" : "2026-03-04T21:56:40.631Z",
            "editHistory" : []
          }
        },
        {
          "messageCreate" : {
            "reactions" : [],
            "urls" : [],
            "text" : "Você acha que engana quem, ladra de terras? Todo mundo sabe que você é paga por ONG estrangeira.",
            "mediaUrls" : [],
            "senderId" : "1745001122334455667",
            "id" : "2029314701519274710",
            "recipientId" : "1402938475610293847",
            "createdAt" : "2026-03-04T21:55:02.344Z",
            "editHistory" : []
          }
        }
      ]
    }
  },
  {
    "dmConversation" : {
      "conversationId" : "1402938475610293847-1765554433221100998",
      "messages" : [
        {
          "messageCreate" : {
            "reactions" : [],
            "urls" : [],
            "text" : "Entrega pra quem quiser kkkk",
            "mediaUrls" : [],
            "senderId" : "1765554433221100998",
            "id" : "2029894197216561050",
            "recipientId" : "1402938475610293847",
            "createdAt" : "2026-03-06T12:17:44.224Z",
            "editHistory" : []
          }
        },
        {
          "messageCreate" : {
            "reactions" : [],
            "urls" : [],
            "text" : "Esta conversa está sendo documentada e foi entregue à polícia.",
            "mediaUrls" : [],
            "senderId" : "1402938475610293847",
            "id" : "2029893517577190874",
            "recipientId" : "1765554433221100998",
            "createdAt" : "2026-03-06T12:15:02.612Z",
            "editHistory" : []
          }
        },
        {
          "messageCreate" : {
            "reactions" : [],
            "urls" : [],
            "text" : "A gente sabe onde você mora, defensora.",
            "mediaUrls" : [],
            "senderId" : "1765554433221100998",
            "id" : "2029874968425965109",
            "recipientId" : "1402938475610293847",
            "createdAt" : "2026-03-06T11:01:20.925Z",
            "editHistory" : []
          }
        },
        {
          "messageCreate" : {
            "reactions" : [],
            "urls" : [],
            "text" : "Bonito o portão verde da Travessa das Mangueiras 214 🙂 https://t.co/RQkBUB0Sav",
            "mediaUrls" : [
              "https://ton.twitter.com/1.1/ton/data/dm/2029874189878518608/2029874188284207053/Fz8kQ1aWcAE3pRt.jpg"
            ],
            "senderId" : "1765554433221100998",
            "id" : "2029874189878518608",
            "recipientId" : "1402938475610293847",
            "createdAt" : "2026-03-06T10:58:14.340Z",
            "editHistory" : []
          }
        }
      ]
    }
  },
  {
    "dmConversation" : {
      "conversationId" : "1402938475610293847-2028470379603137625",
      "messages" : [
        {
          "messageCreate" : {
            "reactions" : [],
            "urls" : [],
            "text" : "O Pará não é de vocês. Volta pra Europa que te paga.",
            "mediaUrls" : [],
            "senderId" : "2028470379603137625",
            "id" : "2034390901723854449",
            "recipientId" : "1402938475610293847",
            "createdAt" : "2026-03-18T22:06:02.336Z",
            "editHistory" : []
          }
        },
        {
          "messageCreate" : {
            "reactions" : [],
            "urls" : [],
            "text" : "Fora Marina Costa! Ladra de terras paga por ONG estrangeira!! #ForaMarina",
            "mediaUrls" : [],
            "senderId" : "2028470379603137625",
            "id" : "2034390770431930330",
            "recipientId" : "1402938475610293847",
            "createdAt" : "2026-03-18T22:05:31.321Z",
            "editHistory" : []
          }
        }
      ]
    }
  },
  {
    "dmConversation" : {
      "conversationId" : "1402938475610293847-2028470380716734639",
      "messages" : [
        {
          "messageCreate" : {
            "reactions" : [],
            "urls" : [],
            "text" : "Quem avisa amigo é.",
            "mediaUrls" : [],
            "senderId" : "2028470380716734639",
            "id" : "2034391460133182113",
            "recipientId" : "1402938475610293847",
            "createdAt" : "2026-03-18T22:08:15.360Z",
            "editHistory" : []
          }
        },
        {
          "messageCreate" : {
            "reactions" : [],
            "urls" : [],
            "text" : "Fora Marina Costa, ladra de terra paga pelas ONG estrangeiras #ForaMarina #ParáLivre",
            "mediaUrls" : [],
            "senderId" : "2028470380716734639",
            "id" : "2034391345452484172",
            "recipientId" : "1402938475610293847",
            "createdAt" : "2026-03-18T22:07:48.532Z",
            "editHistory" : []
          }
        }
      ]
    }
  },
  {
    "dmConversation" : {
      "conversationId" : "1402938475610293847-2033740105388530403",
      "messages" : [
        {
          "messageCreate" : {
            "reactions" : [],
            "urls" : [],
            "text" : "we know where you live. we know where the girl goes to school",
            "mediaUrls" : [],
            "senderId" : "2033740105388530403",
            "id" : "2034503614262648697",
            "recipientId" : "1402938475610293847",
            "createdAt" : "2026-03-19T05:33:55.137Z",
            "editHistory" : []
          }
        },
        {
          "messageCreate" : {
            "reactions" : [],
            "urls" : [],
            "text" : "Marina Costa paid by foreign NGOs to stop progress in Pará. Land thief! #ForaMarina",
            "mediaUrls" : [],
            "senderId" : "2033740105388530403",
            "id" : "2034503424021440660",
            "recipientId" : "1402938475610293847",
            "createdAt" : "2026-03-19T05:33:10.972Z",
            "editHistory" : []
          }
        }
      ]
    }
  },
  {
    "dmConversation" : {
      "conversationId" : "1402938475610293847-2030765501873673018",
      "messages" : [
        {
          "messageCreate" : {
            "reactions" : [],
            "urls" : [
              {
                "url" : "https://t.co/uJF1dSop0p",
                "expanded" : "https://gooogle-account-verify.com/x/appeal?u=marina_xinguvivo",
                "display" : "gooogle-account-verify.co…"
              }
            ],
            "text" : "Último aviso. Verificação obrigatória: https://t.co/uJF1dSop0p",
            "mediaUrls" : [],
            "senderId" : "2030765501873673018",
            "id" : "2031113424012871060",
            "recipientId" : "1402938475610293847",
            "createdAt" : "2026-03-09T21:02:31.901Z",
            "editHistory" : []
          }
        },
        {
          "messageCreate" : {
            "reactions" : [],
            "urls" : [
              {
                "url" : "https://t.co/YxKJv92QTT",
                "expanded" : "https://bit.ly/3xVrfyX",
                "display" : "bit.ly/3xVrfyX"
              }
            ],
            "text" : "X Suporte: sua conta @marina_xinguvivo recebeu denúncias de violação de direitos autorais e será suspensa em 24h. Para contestar, verifique sua identidade: https://t.co/YxKJv92QTT",
            "mediaUrls" : [],
            "senderId" : "2030765501873673018",
            "id" : "2031057425075597003",
            "recipientId" : "1402938475610293847",
            "createdAt" : "2026-03-09T17:20:00.660Z",
            "editHistory" : []
          }
        }
      ]
    }
  },
  {
    "dmConversation" : {
      "conversationId" : "1356789012345678901-1402938475610293847",
      "messages" : [
        {
          "messageCreate" : {
            "reactions" : [],
            "urls" : [],
            "text" : "Listo. Fuerza, compañera 💚",
            "mediaUrls" : [],
            "senderId" : "1356789012345678901",
            "id" : "2032411610388114333",
            "recipientId" : "1402938475610293847",
            "createdAt" : "2026-03-13T11:01:02.715Z",
            "editHistory" : []
          }
        },
        {
          "messageCreate" : {
            "reactions" : [],
            "urls" : [],
            "text" : "Sí, claro. Gracias por cuidar eso.",
            "mediaUrls" : [],
            "senderId" : "1402938475610293847",
            "id" : "2032411029167829072",
            "recipientId" : "1356789012345678901",
            "createdAt" : "2026-03-13T10:58:44.796Z",
            "editHistory" : []
          }
        },
        {
          "messageCreate" : {
            "reactions" : [],
            "urls" : [],
            "text" : "Marina, ¿puedo publicar un hilo sobre la campaña en Colombia? No voy a mencionar a tu hija ni tu dirección.",
            "mediaUrls" : [],
            "senderId" : "1356789012345678901",
            "id" : "2032409376688718295",
            "recipientId" : "1402938475610293847",
            "createdAt" : "2026-03-13T10:52:10.026Z",
            "editHistory" : []
          }
        }
      ]
    }
  },
  {
    "dmConversation" : {
      "conversationId" : "1402938475610293847-1544332211009988776",
      "messages" : [
        {
          "messageCreate" : {
            "reactions" : [],
            "urls" : [],
            "text" : "Hi, thank you. Yes, next week. Please write to my email at the network, and no photos of my house or family.",
            "mediaUrls" : [],
            "senderId" : "1402938475610293847",
            "id" : "2030315726824174166",
            "recipientId" : "1544332211009988776",
            "createdAt" : "2026-03-07T16:12:45.006Z",
            "editHistory" : []
          }
        },
        {
          "messageCreate" : {
            "reactions" : [],
            "urls" : [],
            "text" : "Hi Marina, I'm a reporter covering environmental defenders in Latin America. Would you be open to a short interview about the threats you received? Happy to protect any details you want kept out.",
            "mediaUrls" : [],
            "senderId" : "1544332211009988776",
            "id" : "2030274770794375568",
            "recipientId" : "1402938475610293847",
            "createdAt" : "2026-03-07T13:30:00.671Z",
            "editHistory" : []
          }
        }
      ]
    }
  }
]